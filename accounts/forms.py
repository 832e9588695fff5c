from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(
        label="动态口令或恢复码",
        max_length=32,
        help_text="身份验证器应用显示的 6 位数字;手机不在身边时,输入一个恢复码(每个只能用一次)。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class SetupForm(forms.Form):
    token = forms.CharField(
        label="动态口令",
        max_length=6,
        help_text="扫描二维码(或手动输入密钥)后,身份验证器应用显示的 6 位数字。",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
