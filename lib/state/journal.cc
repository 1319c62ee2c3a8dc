// Implemented by the journal work (see journal.hh).
#include "state/journal.hh"
