from django import forms


class BulmaFormMixin:
    """Gives Django's widgets the CSS classes of the Bulma framework."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.Select):
                continue
            widget.attrs.setdefault("class", "input")
