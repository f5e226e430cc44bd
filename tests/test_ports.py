from __future__ import annotations

import asyncio

import pytest

from paysupport.errors import EffectFailed, NotFound, ValidationFailed
from paysupport.models import Tier
from paysupport.money import Money
from paysupport.ports import EffectRunner, Notifier, PaymentGateway
from paysupport.workflows import AssignCase, IssueRefund, NotifyCustomer

REFUND = IssueRefund(payment_id="p", refund_id="r", amount=Money.of("1", "EUR"))
NOTE = NotifyCustomer(template="t", subject_id="r")
ASSIGN = AssignCase(case_id="c", tier=Tier.JUNIOR)


class Gateway:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[str] = []
        self.fail = fail

    def issue_refund(self, effect: IssueRefund) -> None:
        if self.fail:
            raise RuntimeError("gateway down")
        self.calls.append(effect.idempotency_key)

    def cancel_payment(self, effect: object) -> None: ...
    def submit_evidence(self, effect: object) -> None: ...
    def accept_dispute(self, effect: object) -> None: ...


class Mailer:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def notify_customer(self, effect: NotifyCustomer) -> None:
        self.sent.append(effect.template)

    def request_new_payment_method(self, effect: object) -> None: ...


def test_ports_are_protocols() -> None:
    assert isinstance(Gateway(), PaymentGateway)
    assert isinstance(Mailer(), Notifier)


def test_runs_in_order_and_skips_seen() -> None:
    g, m = Gateway(), Mailer()
    runner = EffectRunner.from_ports(g, m)
    report = runner.run([REFUND, NOTE, REFUND])
    assert report.ok and report.ran == (REFUND, NOTE) and report.skipped == (REFUND,)
    again = runner.run([REFUND, NOTE], seen=report.done_keys)
    assert again.ran == () and g.calls == [REFUND.idempotency_key]


def test_stops_at_first_failure() -> None:
    m = Mailer()
    runner = EffectRunner.from_ports(Gateway(fail=True), m)
    report = runner.run([NOTE, REFUND, ASSIGN])
    assert report.ran == (NOTE,) and report.failed == REFUND
    assert isinstance(report.error, RuntimeError) and report.not_run == (ASSIGN,)
    assert not report.ok


def test_missing_handler_is_a_failure() -> None:
    report = EffectRunner({}).run([ASSIGN])
    assert report.failed == ASSIGN and isinstance(report.error, EffectFailed)


def test_async_runner_awaits_handlers() -> None:
    done: list[str] = []

    async def notify(effect: NotifyCustomer) -> None:
        await asyncio.sleep(0)
        done.append(effect.template)

    runner = EffectRunner({NotifyCustomer: notify, IssueRefund: lambda e: done.append("sync")})
    report = asyncio.run(runner.run_async([NOTE, REFUND]))
    assert report.ok and done == ["t", "sync"]
    sync = runner.run([NOTE])
    assert isinstance(sync.error, EffectFailed)


def test_async_failure() -> None:
    async def boom(effect: object) -> None:
        raise ValueError("no")

    report = asyncio.run(EffectRunner({NotifyCustomer: boom}).run_async([NOTE, NOTE, ASSIGN]))
    assert report.failed == NOTE and isinstance(report.error, ValueError)
    assert report.skipped == (NOTE,) and report.not_run == (ASSIGN,)


def test_reports_what_each_handler_returned() -> None:
    refund = IssueRefund(payment_id="pay_1", refund_id="rf_1", amount=Money.of("5", "EUR"))
    assign = AssignCase(case_id="case_1", tier=Tier.JUNIOR)
    runner = EffectRunner({IssueRefund: lambda e: "re_provider_1", AssignCase: lambda e: None})
    report = runner.run([refund, assign])
    assert report.results == ("re_provider_1", None)
    assert report.result_of(refund) == "re_provider_1"

    async def answer(e: object) -> str:
        return "re_provider_2"

    async_report = asyncio.run(
        EffectRunner({IssueRefund: answer, AssignCase: lambda e: None}).run_async([refund, assign])
    )
    assert async_report.result_of(refund) == "re_provider_2"


def test_the_result_of_an_effect_that_did_not_run_is_not_found() -> None:
    refund = IssueRefund(payment_id="pay_1", refund_id="rf_1", amount=Money.of("5", "EUR"))
    report = EffectRunner({}).run([refund])
    with pytest.raises(NotFound) as info:
        report.result_of(refund)
    assert info.value.id == refund.idempotency_key and info.value.field == "effect"


def test_something_that_is_not_an_effect_is_refused_before_anything_runs() -> None:
    ran: list[object] = []
    runner = EffectRunner({NotifyCustomer: ran.append})
    with pytest.raises(ValidationFailed) as info:
        runner.run([NOTE, {"kind": "notify_customer"}])  # type: ignore[list-item]
    assert info.value.field == "effects[1]" and ran == []
