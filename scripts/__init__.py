"""The developer scripts' Python code; each sh script runs `python -m scripts.<module>`
from the project root, so `app` and `scripts` import without path tricks."""
