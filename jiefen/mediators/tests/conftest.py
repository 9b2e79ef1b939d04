from jiefen.procedures.tests.conftest import (  # noqa: F401 - fixtures shared with the chain
    accepted_case,
    leader,
    mediator,
    token,
    travel,
)
