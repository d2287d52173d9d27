# The chart tables (clinical_models) share Base.metadata with models.py; importing them here makes sure
# every mapper is known whichever storage module is imported first.
from frontdesk.storage import clinical_models as clinical_models
