"""The public-services attendance site (mapa): the user's home and service requests."""
