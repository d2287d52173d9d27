"""The feedback page's words in English, Spanish and Portuguese. The language is chosen as the booking
page chooses it (http/booking_text.choose: ?lang=, its cookie, Accept-Language, else English)."""

from __future__ import annotations

EN = {
    "title": "Your feedback",
    "language": "Language",
    "heading": "How was your visit?",
    "visit": "{service} on {when}",
    "question": "How likely are you to recommend {practice} to a friend or colleague?",
    "scale": "0 = not at all likely, 10 = extremely likely",
    "comment": "Anything you would like to tell us? (optional)",
    "send": "Send my answer",
    "thanks_title": "Thank you!",
    "thanks": "Your answer was recorded. Thank you for helping us improve.",
    "already": "You answered this question already. Thank you!",
    "your_score": "Your score: {score} of 10",
    "not_found": "This link is not valid (or has expired).",
    "expired_form": "This form has expired; please try again.",
    "too_many": "Too many requests; please try again in a minute.",
    "score_required": "Please choose a score from 0 to 10.",
    "comment_long": "Please shorten your comment to at most {n} characters.",
}

ES = {
    "title": "Tu opinión",
    "language": "Idioma",
    "heading": "¿Cómo fue tu visita?",
    "visit": "{service}, {when}",
    "question": "¿Qué tan probable es que recomiendes {practice} a un amigo o colega?",
    "scale": "0 = nada probable, 10 = muy probable",
    "comment": "¿Algo que quieras contarnos? (opcional)",
    "send": "Enviar mi respuesta",
    "thanks_title": "¡Gracias!",
    "thanks": "Tu respuesta quedó registrada. Gracias por ayudarnos a mejorar.",
    "already": "Ya respondiste esta pregunta. ¡Gracias!",
    "your_score": "Tu puntuación: {score} de 10",
    "not_found": "Este enlace no es válido (o ha caducado).",
    "expired_form": "Este formulario ha caducado; inténtalo de nuevo.",
    "too_many": "Demasiadas solicitudes; inténtalo de nuevo en un minuto.",
    "score_required": "Elige una puntuación del 0 al 10.",
    "comment_long": "Acorta tu comentario a {n} caracteres como máximo.",
}

PT = {
    "title": "A sua opinião",
    "language": "Idioma",
    "heading": "Como foi a sua visita?",
    "visit": "{service}, {when}",
    "question": "Qual a probabilidade de recomendar {practice} a um amigo ou colega?",
    "scale": "0 = nada provável, 10 = muito provável",
    "comment": "Algo que queira contar-nos? (opcional)",
    "send": "Enviar a minha resposta",
    "thanks_title": "Obrigado!",
    "thanks": "A sua resposta foi registada. Obrigado por nos ajudar a melhorar.",
    "already": "Já respondeu a esta pergunta. Obrigado!",
    "your_score": "A sua pontuação: {score} de 10",
    "not_found": "Este link não é válido (ou expirou).",
    "expired_form": "Este formulário expirou; tente de novo.",
    "too_many": "Demasiados pedidos; tente de novo dentro de um minuto.",
    "score_required": "Escolha uma pontuação de 0 a 10.",
    "comment_long": "Encurte o seu comentário para no máximo {n} caracteres.",
}

CATALOGUES = {"en": EN, "es": ES, "pt": PT}
