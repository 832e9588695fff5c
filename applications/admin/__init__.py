"""The admin of 依申请公开: the requests (`requests`, with the add page's registration form in
`register`, the personal-data displays in `personal_data` and the step pages in `steps`) and the
reply letter templates (`reply_templates`), registered in that order as before the split."""

from applications.admin.requests import InformationRequestAdmin

# isort: split
from applications.admin.reply_templates import ReplyTemplateAdmin

__all__ = ["InformationRequestAdmin", "ReplyTemplateAdmin"]
