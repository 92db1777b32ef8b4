"""Atendimento: the support team's queue, tasks, actions, and the gestor's dashboard."""
