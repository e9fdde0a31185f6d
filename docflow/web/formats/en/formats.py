# English pages keep the Vietnamese office formats: dd/mm/yyyy.
from docflow.web.formats.vi.formats import *  # noqa: F403
