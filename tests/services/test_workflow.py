"""The ticket's process: the BPMN in conf/ and the service that runs it."""

import json
import os
from pathlib import Path

import pytest
from lxml import etree

from demo.services import workflow

BPMN = Path(__file__).resolve().parents[2] / "conf" / "processos" / "chamado.bpmn"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
# Children of <process> that are not flow nodes, hence have no shape of their own.
NOT_FLOW_NODES = {"laneSet", "sequenceFlow", "documentation", "extensionElements"}


@pytest.fixture
def process() -> workflow.Process:
    return workflow.load_process(BPMN)


def advance(process: workflow.Process, state: str, step_id: str, decision=None) -> str:
    """Complete a step from the state as the database gives it back (plain JSON text)."""
    stored = json.dumps(json.loads(state))
    assert workflow.ready_step(process, stored) == step_id
    assert not workflow.is_finished(process, stored)
    return workflow.complete(process, stored, step_id, decision)


def run_from(process: workflow.Process, state: str, *moves: tuple[str, str | None]) -> str:
    """Play the (step, decision) moves from a state; return the new state."""
    for step_id, decision in moves:
        state = advance(process, state, step_id, decision)
    return state


def run(process: workflow.Process, *moves: tuple[str, str | None]) -> str:
    """Start a ticket and play the (step, decision) moves; return the state."""
    return run_from(process, workflow.start(process), *moves)


TO_RESOLUCAO = (("abertura", None), ("triagem", "resolver"))
TO_NIVEL2 = (("abertura", None), ("triagem", "escalar"))


# --- what the BPMN declares ---------------------------------------------------------------


def test_steps_names_and_lanes_come_from_the_bpmn(process):
    assert process.id == "abertura_chamado"
    assert process.name == "Abertura de Chamado"
    assert list(process.steps) == [
        ("abertura", "Abertura de Chamado", "Solicitante"),
        ("triagem", "Triagem", "Suporte Nível 1"),
        ("resolucao", "Resolução", "Suporte Nível 1"),
        ("resolucao_n2", "Resolução Nível 2", "Suporte Nível 2"),
        ("complementacao", "Complementação de Informações", "Solicitante"),
        ("validacao", "Validação da Solução", "Solicitante"),
    ]
    assert process.step("triagem").lane == "Suporte Nível 1"
    assert process.bpmn_xml == BPMN.read_text(encoding="utf-8")


def test_decisions_come_from_the_gateway_conditions(process):
    assert {step.id: process.decisions(step.id) for step in process.steps} == {
        "abertura": [],
        "triagem": ["resolver", "escalar", "informacao"],
        "resolucao": ["solucionar", "escalar", "informacao"],
        "resolucao_n2": ["solucionar", "devolver", "informacao"],
        "complementacao": [],
        "validacao": ["aceitar", "recusar"],
    }
    assert process.decision_label("triagem", "escalar") == "Escalar ao Nível 2"
    assert process.decision_label("validacao", "recusar") == "Recusar solução"


def test_an_edited_file_is_read_again(tmp_path):
    copy = tmp_path / "chamado.bpmn"
    copy.write_text(
        BPMN.read_text(encoding="utf-8")
        .replace('decisao == "resolver"', 'decisao == "atender"')
        .replace('name="Triagem"', 'name="Triagem Inicial"'),
        encoding="utf-8",
    )
    first = workflow.load_process(copy)
    assert workflow.load_process(copy) is first  # cached while the file is unchanged
    assert first.decisions("triagem") == ["atender", "escalar", "informacao"]
    assert first.step("triagem").name == "Triagem Inicial"

    copy.write_text(BPMN.read_text(encoding="utf-8"), encoding="utf-8")
    stat = copy.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert workflow.load_process(copy).decisions("triagem")[0] == "resolver"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('decisao == "escalar"</', 'decisao != "escalar"</'),  # not an explicit decision
        ("<bpmn:laneSet", "<bpmn:nada"),  # not well-formed
        ('sourceRef="gw_triagem" targetRef="resolucao"', 'sourceRef="gw_triagem"'),  # invalid
    ],
)
def test_a_broken_bpmn_is_refused_at_load(tmp_path, old, new):
    text = BPMN.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "chamado.bpmn"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(workflow.ProcessError):
        workflow.load_process(broken)


# --- the diagram that bpmn-js draws ---------------------------------------------------------


def _diagram():
    root = etree.parse(str(BPMN)).getroot()
    process = root.find("bpmn:process", NS)
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    shapes = {
        shape.get("bpmnElement"): shape.find("dc:Bounds", NS)
        for shape in plane.iterfind("bpmndi:BPMNShape", NS)
    }
    edges = {
        edge.get("bpmnElement"): [
            (float(point.get("x")), float(point.get("y")))
            for point in edge.iterfind("di:waypoint", NS)
        ]
        for edge in plane.iterfind("bpmndi:BPMNEdge", NS)
    }
    return root, process, shapes, edges


def _box(bounds) -> tuple[float, float, float, float]:
    x, y = float(bounds.get("x")), float(bounds.get("y"))
    return x, y, x + float(bounds.get("width")), y + float(bounds.get("height"))


def _on_border(point, box) -> bool:
    (px, py), (x1, y1, x2, y2) = point, box
    inside = x1 - 1 <= px <= x2 + 1 and y1 - 1 <= py <= y2 + 1
    return inside and min(abs(px - x1), abs(px - x2), abs(py - y1), abs(py - y2)) <= 1


def test_every_flow_node_has_a_shape_inside_its_lane():
    root, process, shapes, _ = _diagram()
    nodes = [node for node in process if etree.QName(node).localname not in NOT_FLOW_NODES]
    assert len(nodes) > 10
    lane_of = {}
    for lane in process.iterfind("bpmn:laneSet/bpmn:lane", NS):
        assert lane.get("id") in shapes, f"raia sem desenho: {lane.get('name')}"
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            assert ref.text not in lane_of, f"{ref.text} em duas raias"
            lane_of[ref.text] = lane.get("id")
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("processRef") == process.get("id")
    pool = _box(shapes[participant.get("id")])
    for node in nodes:
        node_id = node.get("id")
        assert node_id in shapes, f"sem desenho: {node_id}"
        assert node_id in lane_of, f"fora de raia: {node_id}"
        x1, y1, x2, y2 = _box(shapes[node_id])
        lx1, ly1, lx2, ly2 = _box(shapes[lane_of[node_id]])
        assert lx1 <= x1 and x2 <= lx2 and ly1 <= y1 and y2 <= ly2, f"{node_id} fora da raia"
        assert pool[0] <= lx1 and lx2 <= pool[2] and pool[1] <= ly1 and ly2 <= pool[3]


def test_every_sequence_flow_has_an_edge_from_its_source_to_its_target():
    _, process, shapes, edges = _diagram()
    flows = process.findall("bpmn:sequenceFlow", NS)
    assert len(flows) > 10
    for flow in flows:
        points = edges.get(flow.get("id"))
        assert points and len(points) >= 2, f"sem desenho: {flow.get('id')}"
        assert _on_border(points[0], _box(shapes[flow.get("sourceRef")])), flow.get("id")
        assert _on_border(points[-1], _box(shapes[flow.get("targetRef")])), flow.get("id")
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
            assert ax == bx or ay == by, f"segmento oblíquo em {flow.get('id')}"


# --- running a ticket -----------------------------------------------------------------------


def test_happy_path_ends_the_ticket(process):
    state = workflow.start(process)
    assert workflow.ready_step(process, state) == "abertura"
    assert workflow.completed_steps(process, state) == []

    state = run(process, *TO_RESOLUCAO, ("resolucao", "solucionar"), ("validacao", "aceitar"))

    assert workflow.is_finished(process, state)
    assert workflow.ready_step(process, state) is None
    assert workflow.completed_steps(process, state) == [
        "abertura",
        "triagem",
        "resolucao",
        "validacao",
    ]


@pytest.mark.parametrize(
    "moves",
    [
        (("abertura", None), ("triagem", "informacao")),
        (*TO_RESOLUCAO, ("resolucao", "informacao")),
        (*TO_NIVEL2, ("resolucao_n2", "informacao")),
    ],
    ids=["triagem", "resolucao", "resolucao_n2"],
)
def test_information_goes_back_to_the_step_that_asked(process, moves):
    asker = moves[-1][0]
    state = run(process, *moves)
    assert workflow.ready_step(process, state) == "complementacao"

    state = advance(process, state, "complementacao")

    assert workflow.ready_step(process, state) == asker
    assert workflow.completed_steps(process, state)[-2:] == [asker, "complementacao"]


def test_escalation_reaches_nivel2_and_devolver_returns_to_nivel1(process):
    state = run(process, *TO_NIVEL2)
    assert workflow.ready_step(process, state) == "resolucao_n2"

    state = advance(process, state, "resolucao_n2", "devolver")
    assert workflow.ready_step(process, state) == "resolucao"

    state = advance(process, state, "resolucao", "escalar")
    assert workflow.ready_step(process, state) == "resolucao_n2"
    assert workflow.completed_steps(process, state) == [
        "abertura",
        "triagem",
        "resolucao_n2",
        "resolucao",
    ]


@pytest.mark.parametrize(
    ("moves", "solver"),
    [
        (TO_RESOLUCAO, "resolucao"),
        (TO_NIVEL2, "resolucao_n2"),
        # Nível 1 solves after Nível 2 gave it back: the refusal goes to Nível 1.
        ((*TO_NIVEL2, ("resolucao_n2", "devolver")), "resolucao"),
        # Nível 2 solves after Nível 1 escalated: the refusal goes to Nível 2.
        ((*TO_RESOLUCAO, ("resolucao", "escalar")), "resolucao_n2"),
    ],
)
def test_refusal_reopens_the_resolution_that_produced_the_solution(process, moves, solver):
    state = run(process, *moves, (solver, "solucionar"))
    assert workflow.ready_step(process, state) == "validacao"

    state = advance(process, state, "validacao", "recusar")

    assert workflow.ready_step(process, state) == solver
    # And the reopened resolution can solve again, and the requester accept it.
    state = run_from(process, state, (solver, "solucionar"), ("validacao", "aceitar"))
    assert workflow.is_finished(process, state)
    assert workflow.completed_steps(process, state).count("validacao") == 2


def test_completing_a_step_that_is_not_waiting_raises(process):
    state = run(process, ("abertura", None))
    with pytest.raises(workflow.StepNotReady):
        workflow.complete(process, state, "resolucao", "solucionar")
    with pytest.raises(workflow.StepNotReady):
        workflow.complete(process, state, "abertura")
    with pytest.raises(workflow.StepNotReady):
        workflow.complete(process, state, "nao_existe")

    done = run(process, *TO_RESOLUCAO, ("resolucao", "solucionar"), ("validacao", "aceitar"))
    with pytest.raises(workflow.StepNotReady):
        workflow.complete(process, done, "validacao", "aceitar")


@pytest.mark.parametrize(
    ("moves", "step_id", "decision"),
    [
        ((("abertura", None),), "triagem", "voar"),  # unknown
        ((("abertura", None),), "triagem", None),  # missing
        ((("abertura", None),), "triagem", "devolver"),  # another step's
        ((), "abertura", "resolver"),  # a step that takes none
    ],
)
def test_a_decision_the_step_does_not_offer_raises(process, moves, step_id, decision):
    state = run(process, *moves)
    with pytest.raises(workflow.DecisionNotAllowed):
        workflow.complete(process, state, step_id, decision)
    assert workflow.ready_step(process, state) == step_id


def test_data_reaches_the_process_but_cannot_carry_the_decision(process):
    state = workflow.complete(
        process, workflow.start(process), "abertura", data={"categoria": "consulta"}
    )
    assert "consulta" in state
    with pytest.raises(workflow.DecisionNotAllowed):
        workflow.complete(process, state, "triagem", "resolver", data={"decisao": "escalar"})


def test_a_foreign_or_broken_state_is_refused(process, tmp_path):
    other_file = tmp_path / "outro.bpmn"
    other_file.write_text(
        BPMN.read_text(encoding="utf-8").replace("abertura_chamado", "outro_processo"),
        encoding="utf-8",
    )
    other = workflow.load_process(other_file)
    with pytest.raises(workflow.WorkflowError):
        workflow.ready_step(process, workflow.start(other))
    with pytest.raises(workflow.WorkflowError):
        workflow.ready_step(process, "{}")
    with pytest.raises(workflow.WorkflowError):
        workflow.ready_step(process, "não é JSON")


def test_state_stays_small(process):
    # The state embeds the process definition (~9 KB), so a ticket keeps running the version
    # it started with; each completed step adds well under 1 KB.
    assert len(workflow.start(process)) < 16_000
    state = run(process, *TO_RESOLUCAO, ("resolucao", "solucionar"), ("validacao", "aceitar"))
    assert len(state) < 20_000
