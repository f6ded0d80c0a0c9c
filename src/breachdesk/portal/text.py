"""The portal's own wording, in English and Spanish. What the organisation says about
the breach comes from its published facts and approved texts; these are the labels,
buttons and fixed answers around them."""

from __future__ import annotations

LANGUAGES = ("en", "es")

TEXT: dict[str, dict[str, str]] = {
    "skip": {"en": "Skip to main content", "es": "Ir al contenido principal"},
    "switch": {"en": "Español", "es": "English"},
    "nav": {"en": "Portal sections", "es": "Secciones del portal"},
    "notice": {"en": "Notice of data breach", "es": "Aviso de violación de datos"},
    "genuine": {"en": "Is this notice genuine?", "es": "¿Es auténtico este aviso?"},
    "lookup": {"en": "Was I affected?", "es": "¿Me afectó?"},
    "ask": {"en": "Ask a question", "es": "Haga una pregunta"},
    "what_happened": {"en": "What happened", "es": "Qué sucedió"},
    "what_involved": {
        "en": "What information was involved",
        "es": "Qué información se vio afectada",
    },
    "people_affected": {"en": "People affected", "es": "Personas afectadas"},
    "what_we_do": {"en": "What we are doing", "es": "Lo que estamos haciendo"},
    "what_you_can_do": {"en": "What you can do", "es": "Lo que usted puede hacer"},
    "statement": {"en": "A statement from", "es": "Declaración de"},
    "faq": {"en": "Questions and answers", "es": "Preguntas y respuestas"},
    "contacts": {"en": "How to reach us", "es": "Cómo comunicarse con nosotros"},
    "history": {"en": "History of this notice", "es": "Historial de este aviso"},
    "published": {"en": "Published", "es": "Publicado"},
    "expands": {
        "en": "This update widens what we said in update {n}.",
        "es": "Esta actualización amplía lo que dijimos en la actualización {n}.",
    },
    "nothing_published": {
        "en": "No notice has been published here yet.",
        "es": "Todavía no se ha publicado ningún aviso aquí.",
    },
    "reference": {"en": "Reference code", "es": "Código de referencia"},
    "reference_hint": {
        "en": "12 letters and digits, printed on your letter or email, like ABCD-2345-EFGH.",
        "es": "12 letras y números, impresos en su carta o correo, como ABCD-2345-EFGH.",
    },
    "last_name": {"en": "Last name", "es": "Apellido"},
    "postcode": {"en": "ZIP or postal code", "es": "Código postal"},
    "check": {"en": "Check", "es": "Verificar"},
    "show_notice": {"en": "Show my notice", "es": "Ver mi aviso"},
    "genuine_yes": {
        "en": "Yes. We issued a notice with this code:",
        "es": "Sí. Emitimos un aviso con este código:",
    },
    "genuine_no": {
        "en": "We have no record of a notice with this code. It may not come from us: do not "
        "reply to it, click its links or call its numbers. Tell us about it below.",
        "es": "No tenemos constancia de un aviso con este código. Puede que no provenga de "
        "nosotros: no responda, no abra sus enlaces ni llame a sus números. Avísenos abajo.",
    },
    "channel_email": {"en": "by email on {day}", "es": "por correo electrónico el {day}"},
    "channel_letter": {"en": "by letter on {day}", "es": "por carta el {day}"},
    "genuine_never_asks": {
        "en": "Our notices never ask for passwords, Social Security numbers or card numbers, "
        "and never carry attachments.",
        "es": "Nuestros avisos nunca piden contraseñas, números de Seguro Social ni de "
        "tarjetas, y nunca llevan archivos adjuntos.",
    },
    "lookup_intro": {
        "en": "Enter the reference code from your notice with your last name and postcode as "
        "they appear on it. We never ask for more.",
        "es": "Escriba el código de referencia de su aviso con su apellido y código postal "
        "tal como aparecen en él. Nunca le pediremos más.",
    },
    "lookup_failed": {
        "en": "We could not match these details to a notice. Check the code and the spelling "
        "as printed on your notice, or ask us a question.",
        "es": "No pudimos relacionar estos datos con un aviso. Revise el código y cómo está "
        "escrito en su aviso, o haga una pregunta.",
    },
    "too_many": {
        "en": "Too many attempts. Please wait {seconds} seconds and try again.",
        "es": "Demasiados intentos. Espere {seconds} segundos e inténtelo de nuevo.",
    },
    "your_notice": {"en": "Your notice", "es": "Su aviso"},
    "hello": {"en": "Hello {name}.", "es": "Hola, {name}."},
    "your_elements": {
        "en": "Information of yours that was involved",
        "es": "Su información afectada",
    },
    "notice_pending": {
        "en": "Your full notice will appear here once it has been sent.",
        "es": "Su aviso completo aparecerá aquí cuando se haya enviado.",
    },
    "sent_to_you": {"en": "Sent to you", "es": "Enviado a usted"},
    "monitoring": {"en": "Credit monitoring", "es": "Monitoreo de crédito"},
    "get_code": {"en": "Get my activation code", "es": "Obtener mi código de activación"},
    "your_code": {
        "en": "Your activation code for {months} months of {vendor}:",
        "es": "Su código de activación para {months} meses de {vendor}:",
    },
    "enrol_at": {"en": "Enrol at", "es": "Inscríbase en"},
    "no_codes": {
        "en": "Activation codes are not available right now. Please try again later or ask us.",
        "es": "Los códigos de activación no están disponibles ahora. Inténtelo más tarde o "
        "pregúntenos.",
    },
    "claim": {"en": "Claim reimbursement", "es": "Solicitar reembolso"},
    "claim_status": {"en": "Claim status", "es": "Estado de la solicitud"},
    "claims": {"en": "Your reimbursement claims", "es": "Sus solicitudes de reembolso"},
    "claim_intro": {
        "en": "Claim reimbursement of charges made with your information that you did not "
        "make. Do not give full card or account numbers: we never need them.",
        "es": "Solicite el reembolso de cargos que usted no hizo y que se hicieron con su "
        "información. No indique números completos de tarjeta ni de cuenta: nunca los "
        "necesitamos.",
    },
    "amount": {"en": "Amount charged (USD)", "es": "Monto cobrado (USD)"},
    "charged_on": {"en": "Date of the charge", "es": "Fecha del cargo"},
    "description": {"en": "What happened", "es": "Qué sucedió"},
    "evidence": {
        "en": "Evidence, such as a bank statement (optional; PDF, PNG or JPEG, up to {mb} MB)",
        "es": "Pruebas, como un estado de cuenta (opcional; PDF, PNG o JPEG, hasta {mb} MB)",
    },
    "submit_claim": {"en": "Submit claim", "es": "Enviar solicitud"},
    "claim_received": {
        "en": "We received your claim {number}. Its status is shown on this page.",
        "es": "Recibimos su solicitud {number}. Su estado aparece en esta página.",
    },
    "status_submitted": {"en": "received, being reviewed", "es": "recibida, en revisión"},
    "status_needs_info": {"en": "we need more from you", "es": "necesitamos más información"},
    "status_approved": {"en": "approved", "es": "aprobada"},
    "status_rejected": {"en": "not approved", "es": "no aprobada"},
    "invalid_amount": {
        "en": "Give the amount in dollars and cents, like 129.95.",
        "es": "Indique el monto en dólares y centavos, como 129.95.",
    },
    "invalid_date": {
        "en": "Give a date on or before today.",
        "es": "Indique una fecha igual o anterior a hoy.",
    },
    "sign_out": {"en": "Leave this page", "es": "Salir de esta página"},
    "session_over": {
        "en": "Your session has ended. Please look up your notice again.",
        "es": "Su sesión terminó. Vuelva a consultar su aviso.",
    },
    "name": {"en": "Your name", "es": "Su nombre"},
    "email": {"en": "Email (for our answer)", "es": "Correo electrónico (para la respuesta)"},
    "phone": {"en": "Phone (optional)", "es": "Teléfono (opcional)"},
    "message": {"en": "Your question", "es": "Su pregunta"},
    "reference_optional": {
        "en": "Reference code (optional)",
        "es": "Código de referencia (opcional)",
    },
    "send": {"en": "Send", "es": "Enviar"},
    "ask_intro": {
        "en": "Do not include Social Security, card or account numbers: we never need them.",
        "es": "No incluya números de Seguro Social, de tarjeta ni de cuenta: nunca los "
        "necesitamos.",
    },
    "ticket_title": {"en": "We received your question", "es": "Recibimos su pregunta"},
    "ticket_body": {
        "en": "Your ticket number is {ticket}. Keep it: quote it if you write or call us. "
        "We answer within {hours} hours.",
        "es": "Su número de caso es {ticket}. Consérvelo e indíquelo si nos escribe o "
        "llama. Respondemos en un plazo de {hours} horas.",
    },
    "ticket_email": {
        "en": "We also sent this acknowledgement to your email address.",
        "es": "También enviamos este acuse de recibo a su correo electrónico.",
    },
    "fix_errors": {"en": "Please correct the following:", "es": "Corrija lo siguiente:"},
    "required": {"en": "This field is required.", "es": "Este campo es obligatorio."},
    "invalid_email": {
        "en": "This is not an email address.",
        "es": "No es una dirección de correo electrónico.",
    },
    "too_long": {"en": "This is too long.", "es": "Es demasiado largo."},
    "busy": {
        "en": "We are very busy right now. Please try again in a moment.",
        "es": "Tenemos mucha demanda ahora. Inténtelo de nuevo en un momento.",
    },
    "not_found": {"en": "Page not found", "es": "Página no encontrada"},
    "not_found_hint": {
        "en": "There is no page at this address. Use the links above, or check the address on "
        "your notice.",
        "es": "No hay ninguna página en esta dirección. Use los enlaces de arriba o revise la "
        "dirección que figura en su aviso.",
    },
    "evidence_refused": {
        "en": "We could not accept this file. Send a PDF, PNG or JPEG of at most {mb} MB "
        "(at most {files} files), and choose the file again.",
        "es": "No pudimos aceptar este archivo. Envíe un PDF, PNG o JPEG de {mb} MB como "
        "máximo (hasta {files} archivos) y vuelva a elegir el archivo.",
    },
    "footer": {
        "en": "This site is run by {org} at {domain}. It uses no cookies except to keep you "
        "signed in to your own notice, and no trackers.",
        "es": "Este sitio lo opera {org} en {domain}. No usa cookies, salvo para mantener "
        "abierta la consulta de su propio aviso, ni rastreadores.",
    },
    "phone_label": {"en": "Phone", "es": "Teléfono"},
    "email_label": {"en": "Email", "es": "Correo electrónico"},
    "mail_label": {"en": "Mail", "es": "Correo postal"},
}

ELEMENTS: dict[str, dict[str, str]] = {
    "name": {"en": "name", "es": "nombre"},
    "address": {"en": "postal address", "es": "dirección postal"},
    "email": {"en": "email address", "es": "correo electrónico"},
    "phone": {"en": "phone number", "es": "número de teléfono"},
    "date_of_birth": {"en": "date of birth", "es": "fecha de nacimiento"},
    "ssn": {"en": "Social Security number", "es": "número de Seguro Social"},
    "drivers_license": {"en": "driver's license number", "es": "número de licencia de conducir"},
    "state_id": {"en": "state ID number", "es": "número de identificación estatal"},
    "passport": {"en": "passport number", "es": "número de pasaporte"},
    "tax_id": {"en": "taxpayer ID number", "es": "número de identificación fiscal"},
    "financial_account": {"en": "financial account number", "es": "número de cuenta financiera"},
    "payment_card": {"en": "payment card number", "es": "número de tarjeta de pago"},
    "card_security_code": {"en": "card security code", "es": "código de seguridad de la tarjeta"},
    "pin": {"en": "PIN", "es": "PIN"},
    "account_credentials": {
        "en": "username and password",
        "es": "usuario y contraseña",
    },
    "medical": {"en": "medical information", "es": "información médica"},
    "health_insurance": {
        "en": "health insurance information",
        "es": "información de seguro médico",
    },
    "biometric": {"en": "biometric data", "es": "datos biométricos"},
    "genetic": {"en": "genetic data", "es": "datos genéticos"},
    "precise_geolocation": {"en": "precise location", "es": "ubicación precisa"},
    "other": {"en": "other information", "es": "otra información"},
}


def translator(language: str):
    """``t(key, **values)`` in ``language``; English where a key has no translation."""

    def t(key: str, **values: object) -> str:
        entry = TEXT[key]
        return entry.get(language, entry["en"]).format(**values)

    return t


def element_name(element: str, language: str) -> str:
    entry = ELEMENTS.get(element, ELEMENTS["other"])
    return entry.get(language, entry["en"])
