"""The default's fees: only those who bill charge the centre a day fee, by the kind of their organisation."""

from __future__ import annotations

from data import default_problem
from data.default import DAY_FEE_BY_KIND, DAY_FEE_OF_ORGANISATION

# Organisations that pay their people's salaries: IOM and the UN agencies, the other international
# organisations, the governments (the country representatives) and the private sector.
SALARIED = {"un_agency", "international", "government", "private"}
# Those who bill a fee per day: the RTCM pool's consultants and ToT graduates, academics, NGO and media experts.
BILLING = {"pool", "academia", "ngo", "media"}


def test_staff_of_organisations_that_pay_their_salaries_charge_no_fee() -> None:
    p = default_problem()
    kind = {o.id: o.kind for o in p.organisations}
    staff = [t for t in p.trainers if kind[t.organisation] in SALARIED]
    # IOM (on every team), the lead agencies, the agencies' guests and the 13 country representatives.
    assert {"IOM", "UNHCR", "ILO", "WHO", "UNODC", "WB", "EU", "COUNTRY", "PRIVATE"} <= {t.organisation for t in staff}
    assert [t.id for t in staff if t.day_rate] == []


def test_those_who_bill_charge_a_day_fee_by_the_kind_of_their_organisation() -> None:
    p = default_problem()
    kind = {o.id: o.kind for o in p.organisations}
    billers = [t for t in p.trainers if kind[t.organisation] in BILLING]
    assert {t.organisation for t in billers} == {"RTCM-POOL", "TOT", "ACADEMIA", "NGO", "MEDIA"}
    for t in billers:
        assert t.day_rate == DAY_FEE_OF_ORGANISATION.get(t.organisation, DAY_FEE_BY_KIND[kind[t.organisation]]) > 0
    # A ToT graduate joins the pool at a junior consultant's fee, below the pool's.
    rate = {t.organisation: t.day_rate for t in billers}
    assert rate["TOT"] < rate["RTCM-POOL"] < rate["ACADEMIA"]


def test_the_fee_table_covers_every_kind_of_organisation_in_the_default() -> None:
    p = default_problem()
    assert {o.kind for o in p.organisations} <= set(DAY_FEE_BY_KIND)
    assert {k for k, usd in DAY_FEE_BY_KIND.items() if usd == 0} == SALARIED
    assert {k for k, usd in DAY_FEE_BY_KIND.items() if usd > 0} == BILLING
