from aia.models import Case


def case_lock(case: Case) -> Case:
    """Return a fresh copy of the case with its row locked until the transaction ends.

    Every service that changes a case, its content or its audit trail takes this lock first,
    so concurrent requests on one case run one after the other and see each other's writes.
    """
    return Case.objects.select_for_update().get(pk=case.pk)
