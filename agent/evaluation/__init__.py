"""`agent eval`: task suites, their judges and the runner that scores a model on them."""
