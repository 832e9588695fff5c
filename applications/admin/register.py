"""Registering a request received by post, in person, by fax… (Article 31) on the add page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from applications import services
from applications.files import validate_request_attachment
from applications.models import InformationRequest
from applications.services import RequestError

APPLICANT_FIELDS = [
    "applicant_type",
    "organization_kind",
    "applicant_name",
    "id_type",
    "id_number",
    "work_unit",
    "organization_code",
    "legal_representative",
    "contact_person",
    "contact_phone",
    "phone",
    "fax",
    "email",
    "address",
    "postal_code",
    "description",
    "document_reference",
    "purpose",
    "medium",
    "delivery",
]


class RegisterRequestForm(forms.ModelForm):
    """Registering a request received by post, in person, by fax… (Article 31)."""

    submitted_on = forms.DateField(label="提交日期", help_text="当面提交:即收到申请日期。")
    signed_for_on = forms.DateField(
        label="签收日期", required=False, help_text="邮寄申请必填:以签收之日为收到申请之日。"
    )

    class Meta:
        model = InformationRequest
        fields = ["organization", "channel", *APPLICANT_FIELDS, "attachment"]

    def clean_attachment(self) -> UploadedFile[bytes] | None:
        """The upload check (a PDF must parse, no executable in an archive) as a form error on
        the page, not a refusal from the service after the form was accepted."""
        upload = self.cleaned_data.get("attachment")
        if upload:
            try:
                validate_request_attachment(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["attachment"]) from None
            upload.seek(0)
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        try:
            services.validate_applicant(data)
            services.receipt_date(
                channel=data.get("channel") or "",
                signed_for_on=data.get("signed_for_on"),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        except RequestError as error:
            self.add_error("signed_for_on", str(error))
        return data
