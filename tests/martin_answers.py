"""What a caller says to Cabinet Martin's script (examples/) to leave a message: the answers an
agent gives when finishing a call, shared by the switchboard's and the SIP tests."""

from __future__ import annotations

MESSAGE_ANSWERS = {
    "client": "oui",
    "nom": "Jean Dupont",
    "telephone": "06 12 34 56 78",
    "dossier": "",
    "urgent": "non",
    "objet": "Rappeler pour le dossier",
}
