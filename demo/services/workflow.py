"""The process of a ticket: a BPMN 2.0 file in conf/, run by SpiffWorkflow.

This is the only module that imports SpiffWorkflow. The rest of the portal sees a `Process`
(what the file declares: its steps, lanes and decisions) and an opaque JSON *state* per ticket,
which the caller stores in the database.

Conventions read from the BPMN, so that the file stays the single source:

* a step is a ``userTask``; its lane is the ``lane`` that lists it;
* the decisions of a step are the conditions ``decisao == "<value>"`` on the flows of the
  exclusive gateway that follows it, in the file's order; the flow's name is the button label;
* a step without such a gateway takes no decision.
"""

import ast
import io
from dataclasses import dataclass, field
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

DECISION_VARIABLE = "decisao"

_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
# The spiff flavour (parser and serializer) is the one that knows `spiffworkflow:postScript`,
# which the process uses to remember the last step that worked on the ticket (`retorno`).
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
# The file is the operator's, but there is no reason to let it fetch anything.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


class WorkflowError(Exception):
    """A ticket's process cannot do what was asked."""


class ProcessError(WorkflowError):
    """The BPMN file is invalid or breaks the conventions of this module."""


class StepNotReady(WorkflowError):
    """The step to complete is not the one waiting in this ticket."""


class DecisionNotAllowed(WorkflowError):
    """The decision is not one that the step offers."""


class Step(NamedTuple):
    """A user task of the process, as the manual and the Listagem show it."""

    id: str
    name: str
    lane: str | None


class Decision(NamedTuple):
    """One way out of a step: the value of `decisao` and the flow's label."""

    value: str
    label: str
    #: The flow leads straight to an end event: this decision closes the ticket.
    closes: bool = False


@dataclass(frozen=True, eq=False)
class Process:
    """A parsed BPMN process: what it declares, and the spec that runs it."""

    id: str
    name: str
    steps: tuple[Step, ...]
    bpmn_xml: str
    _decisions: dict[str, tuple[Decision, ...]] = field(repr=False)
    _completions: dict[str, str] = field(repr=False)
    _spec: Any = field(repr=False)

    def completion_label(self, step_id: str) -> str | None:
        """The label of a step done without a decision, e.g. "Aprovar" (its flow's name)."""
        return self._completions.get(step_id)

    def step(self, step_id: str) -> Step:
        """Return the step with this id (KeyError if the process has none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def decisions(self, step_id: str) -> list[str]:
        """Return the decisions the step offers, in the file's order ([] if it takes none)."""
        return [decision.value for decision in self._decisions.get(step_id, ())]

    def closing_decisions(self, step_id: str) -> list[str]:
        """The decisions of a step whose flow ends the process (e.g. accepting a solution)."""
        return [d.value for d in self._decisions.get(step_id, ()) if d.closes]

    def decision_label(self, step_id: str, decision: str) -> str:
        """Return the label of a decision (the name of its flow in the diagram)."""
        for item in self._decisions.get(step_id, ()):
            if item.value == decision:
                return item.label
        raise KeyError((step_id, decision))


def current_process() -> Process:
    """The ticket process of the running app (TICKET_PROCESS in conf/portal.toml)."""
    from flask import current_app

    conf = Path(current_app.config["CONF_DIR"])
    return load_process(conf / current_app.config["TICKET_PROCESS"])


def load_process(path: str | PathLike[str]) -> Process:
    """Parse the BPMN file at `path`; parsed again only when the file changes."""
    resolved = Path(path).resolve()
    return _load(str(resolved), resolved.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> Process:
    # `mtime_ns` is only part of the cache key: an edited file is a new entry.
    raw = Path(path).read_bytes()
    try:
        document = etree.parse(io.BytesIO(raw), _XML_PARSER)
        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_bpmn_xml(document, filename=path)
        process_ids = parser.get_process_ids()
        if len(process_ids) != 1:
            raise ProcessError(f"{path}: esperado um processo executável, há {len(process_ids)}.")
        spec = parser.get_spec(process_ids[0])
    except (etree.LxmlError, SpiffWorkflowException) as exc:
        raise ProcessError(f"{path}: BPMN inválido: {exc}") from exc

    node = document.getroot().xpath("bpmn:process[@id=$id]", namespaces=_NS, id=spec.name)[0]
    lanes = {
        ref.text.strip(): lane.get("name")
        for lane in node.iterfind(".//bpmn:lane", _NS)
        for ref in lane.iterfind("bpmn:flowNodeRef", _NS)
        if ref.text
    }
    steps = tuple(
        Step(task.get("id"), task.get("name") or task.get("id"), lanes.get(task.get("id")))
        for task in node.iterfind("bpmn:userTask", _NS)
    )
    return Process(
        id=spec.name,
        name=node.get("name") or spec.name,
        steps=steps,
        bpmn_xml=raw.decode("utf-8"),
        _decisions={step.id: _read_decisions(node, step.id) for step in steps},
        _completions={
            step.id: label for step in steps if (label := _read_completion(node, step.id))
        },
        _spec=spec,
    )


def _read_decisions(process: etree._Element, step_id: str) -> tuple[Decision, ...]:
    """Read a step's decisions from the conditions of the gateway right after it."""
    outgoing = process.xpath("bpmn:sequenceFlow[@sourceRef=$id]", namespaces=_NS, id=step_id)
    if len(outgoing) != 1:
        return ()
    target = outgoing[0].get("targetRef")
    if not process.xpath("bpmn:exclusiveGateway[@id=$id]", namespaces=_NS, id=target):
        return ()
    flows = process.xpath("bpmn:sequenceFlow[@sourceRef=$id]", namespaces=_NS, id=target)
    values = [_decision_value(flow) for flow in flows]
    if not any(values):
        return ()  # routes on something else (e.g. `retorno`), not on a decision
    if not all(values):
        raise ProcessError(
            f'BPMN: toda saída do gateway "{target}" deve ter a condição '
            f'{DECISION_VARIABLE} == "...", para que "{step_id}" tenha decisões explícitas.'
        )
    ends = {node.get("id") for node in process.iterfind("bpmn:endEvent", _NS)}
    return tuple(
        Decision(value, flow.get("name") or value, flow.get("targetRef") in ends)
        for value, flow in zip(values, flows, strict=True)
    )


def _read_completion(process: etree._Element, step_id: str) -> str | None:
    """The name of a step's only outgoing flow when it leads straight on (no gateway)."""
    outgoing = process.xpath("bpmn:sequenceFlow[@sourceRef=$id]", namespaces=_NS, id=step_id)
    if len(outgoing) != 1:
        return None
    target = outgoing[0].get("targetRef")
    if process.xpath("bpmn:exclusiveGateway[@id=$id]", namespaces=_NS, id=target):
        return None
    return outgoing[0].get("name")


def _decision_value(flow: etree._Element) -> str | None:
    """Return "x" for a flow whose condition is exactly `decisao == "x"`, else None."""
    condition = flow.find("bpmn:conditionExpression", _NS)
    if condition is None or not condition.text:
        return None
    try:
        tree = ast.parse(condition.text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ProcessError(f'BPMN: condição inválida no fluxo "{flow.get("id")}".') from exc
    match tree:
        case ast.Compare(
            left=ast.Name(id=name),
            ops=[ast.Eq()],
            comparators=[ast.Constant(value=str() as value)],
        ) if name == DECISION_VARIABLE:
            return value
    return None


def start(process: Process) -> str:
    """Start a new instance of the process; return its serialized state."""
    workflow = BpmnWorkflow(process._spec)
    workflow.do_engine_steps()
    return _SERIALIZER.serialize_json(workflow)


def ready_step(process: Process, state: str) -> str | None:
    """Return the id of the step waiting for someone, or None once the ticket is closed."""
    task = _ready_task(_restore(process, state))
    return None if task is None else task.task_spec.name


def complete(
    process: Process,
    state: str,
    step_id: str,
    decision: str | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """Complete the waiting step with a decision, run to the next step, return the new state.

    `data` is merged into the process variables; keep it to small values that a condition
    may need: every later task carries a copy, and the ticket's form belongs in the database.
    """
    workflow = _restore(process, state)
    task = _ready_task(workflow)
    current = None if task is None else task.task_spec.name
    if task is None or current != step_id:
        raise StepNotReady(
            f'A etapa "{step_id}" não está aguardando conclusão neste chamado '
            f"(etapa atual: {current or 'nenhuma, chamado encerrado'})."
        )
    allowed = process.decisions(step_id)
    if not (decision in allowed if allowed else decision is None):
        raise DecisionNotAllowed(
            f'Decisão "{decision}" não permitida na etapa "{step_id}" '
            f"(permitidas: {', '.join(allowed) or 'nenhuma'})."
        )
    if data and DECISION_VARIABLE in data:
        raise DecisionNotAllowed(f'Informe a decisão pelo argumento, não em "{DECISION_VARIABLE}".')

    task.data.update(data or {})
    if allowed:
        task.data[DECISION_VARIABLE] = decision
    else:
        # A stale decision from an earlier step must never route a later gateway.
        task.data.pop(DECISION_VARIABLE, None)
    try:
        task.run()
        workflow.do_engine_steps()
    except SpiffWorkflowException as exc:
        raise WorkflowError(f'Falha ao concluir a etapa "{step_id}": {exc}') from exc
    return _SERIALIZER.serialize_json(workflow)


def is_finished(process: Process, state: str) -> bool:
    """Tell whether the ticket's process has reached its end."""
    return bool(_restore(process, state).is_completed())


def completed_steps(process: Process, state: str) -> list[str]:
    """Return the ids of the completed steps, oldest first, repeated when a step ran again."""
    workflow = _restore(process, state)
    # A loop grows the task tree downwards and this process has no parallel branch, so the
    # depth-first order of the tree is the order in which the steps were done.
    return [
        task.task_spec.name for task in workflow.get_tasks(state=TaskState.COMPLETED, manual=True)
    ]


def _restore(process: Process, state: str) -> BpmnWorkflow:
    """Deserialize a state, checking that it belongs to this process."""
    try:
        workflow = _SERIALIZER.deserialize_json(state)
    except (ValueError, KeyError, TypeError, SpiffWorkflowException) as exc:
        raise WorkflowError("Estado do fluxo do chamado ilegível.") from exc
    if workflow.spec.name != process.id:
        raise WorkflowError(
            f'O estado pertence ao processo "{workflow.spec.name}", não a "{process.id}".'
        )
    return workflow


def _ready_task(workflow: BpmnWorkflow) -> Any:
    """Return the one task waiting for a person, or None."""
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    if len(ready) > 1:
        # The portal shows one current step per ticket; a parallel process needs a new design.
        names = ", ".join(task.task_spec.name for task in ready)
        raise WorkflowError(f"Mais de uma etapa aguardando ao mesmo tempo: {names}.")
    return ready[0] if ready else None
