"""Processos › Abrir: the processes a user may open."""
