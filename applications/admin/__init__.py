"""The admin of 依申请公开: the requests (`requests`, with the add page's registration form in
`register` and the step pages in `steps`) and the reply letter templates (`reply_templates`)."""

from applications.admin.reply_templates import ReplyTemplateAdmin
from applications.admin.requests import InformationRequestAdmin

__all__ = ["InformationRequestAdmin", "ReplyTemplateAdmin"]
