"""Minha Área: the user's tickets and drafts, and Selecionados (search by Nº do Processo)."""
