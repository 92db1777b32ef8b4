"""A chamado: its form (while a draft), Status, Acessar, Listagem, fluxo vivo, attachments."""
