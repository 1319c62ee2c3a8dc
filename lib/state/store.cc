#include "state/store.hh"
