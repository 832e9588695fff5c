"""依申请公开 requests in every state, registered and handled through the services; the open
ones fall due over the coming weeks, one is overdue."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from applications import services as request_services
from applications.choices import ReceiptChannel, ReplyReason, ReplyType
from applications.models import InformationRequest
from disclosure.actors import Actor
from disclosure.models import Organization
from portal.demo import BUREAU, SampleSite

APPLICANTS = [
    ("王建国", "13912340001", "2020年全市中小学校舍安全检查结果"),
    ("李秀英", "13912340002", "本区义务教育学校招生划片范围的依据"),
    ("张伟", "13912340003", "民办学校收费标准核定文件"),
    ("刘洋", "13912340004", "2023年学生资助资金分配明细"),
    ("陈静", "13912340005", "某小学食堂食品安全检查记录"),
    ("杨帆", "13912340006", "城镇小区配套幼儿园移交情况"),
    ("赵磊", "13912340007", "校外培训机构资金监管账户名单"),
    ("黄敏", "13912340008", "教师职称评审结果及评分细则"),
    ("周杰", "13912340009", "高中学业水平考试考点安排"),
    ("吴婷", "13912340010", "教育督导评估报告全文"),
    ("徐强", "13912340011", "智慧校园建设项目合同"),
    ("孙丽", "13912340012", "学生近视防控专项经费使用情况"),
]


def add_requests(rng: random.Random, today: datetime.date, summary: SampleSite) -> None:
    """Requests in every state; the open ones fall due over the coming weeks, one is overdue."""
    clerk = get_user_model().objects.get(username="demo")
    bureau = Organization.objects.get(name=BUREAU)
    ages = [400, 380, 350, 300, 250, 200, 150, 18, 25, 32, 12, 4]
    for n, ((name, phone, wanted), age) in enumerate(zip(APPLICANTS, ages, strict=True)):
        submitted = today - datetime.timedelta(days=age)
        fields = {
            "applicant_type": "citizen",
            "applicant_name": name,
            "id_type": "resident_id",
            "id_number": _resident_id(rng, n),
            "phone": phone,
            "email": f"applicant{n + 1}@example.com",
            "address": f"江苏省无锡市梁溪区解放南路{n + 1}号",
            "description": wanted,
        }
        channel = rng.choice([ReceiptChannel.IN_PERSON, ReceiptChannel.MAIL])
        request = request_services.register_request(
            actor=clerk,
            organization=bureau,
            channel=channel,
            fields=fields,
            submitted_on=submitted - datetime.timedelta(days=2 * (channel == ReceiptChannel.MAIL)),
            signed_for_on=submitted if channel == ReceiptChannel.MAIL else None,
            now=timezone.now(),
        )
        summary.requests += 1
        _advance_request(n, request, clerk, today)


def _resident_id(rng: random.Random, n: int) -> str:
    """A resident ID number with a valid check digit (GB 11643), born 1960-1999."""
    body = f"320202{1960 + rng.randint(0, 39)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 99):02d}{n % 10}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


#: The first six requests are answered (the first four also closed, 办结), one of each reply.
ANSWERS = [
    (ReplyType.DISCLOSED, ""),
    (ReplyType.PARTIAL, ""),
    (ReplyType.REFUSED, ReplyReason.REFUSED_PROCESS),
    (ReplyType.UNABLE, ReplyReason.UNABLE_NOT_HELD),
    (ReplyType.NOT_PROCESSED, ReplyReason.NOT_PROCESSED_REPEAT),
    (ReplyType.DISCLOSED, ""),
]


def _advance_request(
    n: int, request: InformationRequest, clerk: Actor, today: datetime.date
) -> None:
    """Request n of APPLICANTS into its state; n == 9 stays 已受理, overdue."""
    if n < len(ANSWERS):
        _answer(n, request, clerk, today)
    elif n == 6:
        _answer_after_correction(request, clerk)
    elif n == 7:  # 已延期, due soon
        request_services.extend_request(
            request=request,
            actor=clerk,
            approver=clerk,
            days=20,
            reason="需调取多个学校的档案材料。",
            today=today,
        )
    elif n == 8:  # 征求第三方意见
        request_services.start_consultation(
            request=request,
            actor=clerk,
            started_on=today - datetime.timedelta(days=5),
            note="涉及第三方商业秘密,已书面征求意见。",
        )
    elif n == 10:  # 待补正
        request_services.request_correction(
            request=request,
            actor=clerk,
            notice="请补充所需信息的具体名称或文号。",
            correction_due_on=today + datetime.timedelta(days=10),
            today=request.received_on + datetime.timedelta(days=2),
        )
    elif n == 11:  # 待申请人确认收费 (信息处理费, 国办函〔2020〕109号)
        request_services.notify_fee(
            request=request, actor=clerk, basis="by_volume", quantity=120, notified_on=today
        )


def _answer(n: int, request: InformationRequest, clerk: Actor, today: datetime.date) -> None:
    reply_type, reason = ANSWERS[n]
    request = request_services.answer_request(
        request=request,
        actor=clerk,
        reply_type=reply_type,
        reply_reason=reason,
        replied_on=min(request.received_on + datetime.timedelta(days=15), today),
    )
    if n < 4:
        request_services.close_request(request=request, actor=clerk, note="申请人已签收答复书。")


def _answer_after_correction(request: InformationRequest, clerk: Actor) -> None:
    """补正 asked two days after receipt, received five days later, then answered."""
    notice_day = request.received_on + datetime.timedelta(days=2)
    request = request_services.request_correction(
        request=request,
        actor=clerk,
        notice="请说明所需信息的年份和学校名称。",
        correction_due_on=notice_day + datetime.timedelta(days=15),
        today=notice_day,
    )
    request = request_services.receive_correction(
        request=request, actor=clerk, received_on=notice_day + datetime.timedelta(days=5)
    )
    request_services.answer_request(
        request=request,
        actor=clerk,
        reply_type=ReplyType.DISCLOSED,
        replied_on=notice_day + datetime.timedelta(days=20),
    )
