"""Language tables for reading mail: header labels, months, weekdays, verbs and markers.

This module owns *data only* (no logic beyond building lookup sets), so that adding a
language is a matter of adding words here.  Swedish comes first because most of our
users write it; then English, Norwegian, Danish, Finnish, German, French, Spanish,
Dutch, Italian, Polish, and a few others that real corpora contain (Portuguese,
Russian, Ukrainian, Chinese).  All words are stored lower-case.
"""

from __future__ import annotations

# Header-block labels, by field.  Outlook, OWA, Gmail forwards, Apple and Thunderbird
# translate the labels of the quoted header block into the sender's UI language.
FROM_LABELS = (
    "från", "from", "fra", "lähettäjä", "von", "de", "da", "van", "od", "de la",
    "remetente", "от", "від", "发件人", "寄件者", "expéditeur", "afzender", "mittente",
    "absender", "nadawca", "avsändare", "feladó", "sender",
)
SENT_LABELS = (
    "skickat", "sent", "date", "datum", "sendt", "lähetetty", "päivämäärä", "gesendet",
    "envoyé", "date d'envoi", "enviado", "fecha", "verzonden", "inviato", "data",
    "wysłano", "wysłane", "отправлено", "дата", "надіслано", "发送时间", "日期",
    "sendt dato", "sent at", "pvm", "aika", "enviado el", "enviada em", "enviado em",
    "enviada", "data de envio", "fecha de envío",
)
TO_LABELS = (
    "till", "to", "til", "vastaanottaja", "an", "à", "a", "para", "aan", "do", "kenelle",
    "mottagare", "кому", "收件人", "destinataire", "per", "empfänger",
)
CC_LABELS = ("kopia", "cc", "kopi", "kopio", "copie à", "kopie", "dw", "копия", "抄送", "bcc")
SUBJECT_LABELS = (
    "ämne", "subject", "emne", "aihe", "betreff", "objet", "asunto", "onderwerp",
    "oggetto", "temat", "assunto", "ärende", "emne", "тема", "主题", "主旨", "sujet",
    "risposta", "rubrik",
)
REPLY_TO_LABELS = ("svara till", "reply-to", "reply to", "antwort an", "répondre à")

HEADER_FIELDS: dict[str, str] = {}
for _field, _labels in (
    ("from", FROM_LABELS),
    ("date", SENT_LABELS),
    ("to", TO_LABELS),
    ("cc", CC_LABELS),
    ("subject", SUBJECT_LABELS),
    ("reply-to", REPLY_TO_LABELS),
):
    for _label in _labels:
        HEADER_FIELDS.setdefault(_label, _field)

# Verbs of attribution lines ("On … wrote:", "Den … skrev …:").
WROTE_VERBS = (
    "wrote", "writes", "skrev", "skriver", "kirjoitti", "schrieb", "a écrit", "escribió",
    "escreveu", "schreef", "ha scritto", "napisał", "napisała", "napisał(a)", "написал",
    # cs/sk: "Dne 24. 11. 2026 v 9:12 Jan Novák napsal(a):", "… napísal(a):"
    "napsal", "napsala", "napísal", "napísala",
    "написала", "написав", "пишет", "пише", "geschreven", "写道", "寫道", "skrifaði", "pisze",
    # Hebrew (Gmail: "ב-24.11.2026 09:12, Dana Levi כתב:"; "… מאת Dana <d@x>:" names
    # after "from") and Arabic (Gmail: "في الثلاثاء، 24 نوفمبر 2026 9:12 ص كتب Name <a>:")
    "כתב/ה", "כתבה", "כתב", "מאת", "كتبت", "كتب",
)

# Words around the name in attributions that are not part of it ("Op … heeft Piet het
# volgende geschreven:", "W dniu … użytkownik Jan napisał:", Android's "пользователь").
NAME_NOISE = ("heeft", "het volgende", "użytkownik", "пользователь", "користувач", "a las",
              "às", "um", "uhr", "kl.", "kl", "klo", "alle ore", "om")

# Lines that introduce a whole earlier message (with or without a header block below).
ORIGINAL_MARKERS = (
    "original message", "ursprungligt meddelande", "originalmeddelande", "originalmelding",
    "originalbesked", "originalnachricht", "opprinnelig melding",
    "oprindelig meddelelse", "alkuperäinen viesti", "ursprüngliche nachricht",
    "originalnachricht", "message d'origine", "message original", "mensaje original",
    "oorspronkelijk bericht", "origineel bericht", "messaggio originale",
    "wiadomość oryginalna", "oryginalna wiadomość", "mensagem original",
    "исходное сообщение", "оригинальное сообщение", "原始邮件", "原始郵件",
    # digests of forum and feed notifications quote the earlier posts under a heading
    "previous replies", "vorherige antworten", "tidigare svar", "réponses précédentes",
)
FORWARD_MARKERS = (
    "forwarded message", "vidarebefordrat meddelande", "vidarebefordrat brev",
    "videresendt melding", "videresendt meddelelse", "videresendt besked",
    "välitetty viesti", "edelleenlähetetty viesti", "weitergeleitete nachricht",
    "message transféré", "début du message réexpédié", "mensaje reenviado",
    "doorgestuurd bericht", "messaggio inoltrato", "wiadomość przekazana",
    "przekazana wiadomość", "mensagem encaminhada", "пересылаемое сообщение",
    "переслане повідомлення", "转发的邮件", "begin forwarded message",
    "start of forwarded message", "forwarded by", "anfang der weitergeleiteten nachricht",
    "inizio messaggio inoltrato", "comienzo del mensaje reenviado",
    "begin doorgestuurd bericht", "början på vidarebefordrat brev",
    "videresendt e-post", "forwarded e-mail", "vidarebefordrat av", "videresendt av",
    "videresendt af", "weitergeleitet von", "transféré par", "reenviado por",
    "doorgestuurd door", "inoltrato da", "przekazane przez", "välittänyt",
)

# Lines that notification systems put above the quoted history ("##- Please type your
# reply above this line -##"); everything below them is earlier content.
REPLY_ABOVE = (
    "reply above this line", "type your reply above", "write above this line",
    "svara ovanför denna rad", "svara ovanför den här raden", "skriv ditt svar ovanför",
    "antwort oberhalb dieser zeile", "oberhalb dieser zeile", "répondez au-dessus de cette ligne",
    "responda por encima de esta línea", "antwoord boven deze regel", "svar over denne linjen",
    "svar over denne linje", "vastaa tämän rivin yläpuolelle", "rispondi sopra questa riga",
    "odpowiedz powyżej tej linii",
)

# Months: every spelling maps to a month number.  Abbreviations with and without a
# trailing period are both accepted by the date reader, so only list the stems.
MONTHS: dict[str, int] = {}
_MONTH_NAMES = (
    # sv, en, no/da, fi (genitive "marraskuuta"), de, fr, es, nl, it, pl (nom. + gen.), pt
    ("januari", "january", "januar", "tammikuuta", "tammikuu", "jänner", "janvier",
     "enero", "gennaio", "styczeń", "stycznia", "janeiro", "jan", "janv", "ene", "gen",
     "sty", "января", "січня"),
    ("februari", "february", "februar", "helmikuuta", "helmikuu", "février", "febrero",
     "febbraio", "luty", "lutego", "fevereiro", "feb", "févr", "fév", "lut", "fev",
     "февраля", "лютого"),
    ("mars", "march", "marts", "maaliskuuta", "maaliskuu", "märz", "marzo", "maart",
     "marzec", "marca", "março", "mar", "mär", "mrt", "мар", "марта", "березня"),
    ("april", "huhtikuuta", "huhtikuu", "avril", "abril", "aprile", "kwiecień",
     "kwietnia", "apr", "avr", "abr", "kwi", "апреля", "квітня"),
    ("maj", "may", "mai", "toukokuuta", "toukokuu", "mayo", "mei", "maggio", "maj",
     "maja", "maio", "mag", "мая", "травня"),
    ("juni", "june", "kesäkuuta", "kesäkuu", "juin", "junio", "giugno", "czerwiec",
     "czerwca", "junho", "jun", "giu", "cze", "июня", "червня"),
    ("juli", "july", "heinäkuuta", "heinäkuu", "juillet", "julio", "luglio", "lipiec",
     "lipca", "julho", "jul", "juil", "lug", "lip", "июля", "липня"),
    ("augusti", "august", "elokuuta", "elokuu", "août", "agosto", "augustus", "sierpień",
     "sierpnia", "aug", "ago", "sie", "августа", "серпня"),
    ("september", "syyskuuta", "syyskuu", "septembre", "septiembre", "settembre",
     "wrzesień", "września", "setembro", "sep", "sept", "set", "wrz", "сентября",
     "вересня"),
    ("oktober", "october", "lokakuuta", "lokakuu", "octobre", "octubre", "ottobre",
     "październik", "października", "outubro", "okt", "oct", "ott", "paź", "out",
     "октября", "жовтня"),
    ("november", "marraskuuta", "marraskuu", "novembre", "noviembre", "listopad",
     "listopada", "novembro", "nov", "lis", "ноября", "листопада"),
    ("december", "desember", "joulukuuta", "joulukuu", "dezember", "décembre",
     "diciembre", "dicembre", "grudzień", "grudnia", "dezembro", "dec", "des", "dez",
     "déc", "dic", "gru", "декабря", "грудня"),
)
# Hebrew and Arabic month names (CLDR full and Gmail's abbreviated forms; Hebrew writes
# "בנוב׳", "in Nov", with the preposition ב- joined to the month).
_RTL_MONTHS = (
    ("ינואר", "ינו", "בינואר", "בינו", "يناير", "كانون الثاني"),
    ("פברואר", "פבר", "בפברואר", "בפבר", "فبراير", "شباط"),
    ("מרץ", "במרץ", "مارس", "آذار"),
    ("אפריל", "אפר", "באפריל", "באפר", "أبريل", "ابريل", "نيسان"),
    ("מאי", "במאי", "مايو", "أيار"),
    ("יוני", "ביוני", "يونيو", "حزيران"),
    ("יולי", "ביולי", "يوليو", "تموز"),
    ("אוגוסט", "אוג", "באוגוסט", "באוג", "أغسطس", "اغسطس", "آب"),
    ("ספטמבר", "ספט", "בספטמבר", "בספט", "سبتمبر", "أيلول"),
    ("אוקטובר", "אוק", "באוקטובר", "באוק", "أكتوبر", "اكتوبر", "تشرين الأول"),
    ("נובמבר", "נוב", "בנובמבר", "בנוב", "نوفمبر", "تشرين الثاني"),
    ("דצמבר", "דצמ", "בדצמבר", "בדצמ", "ديسمبر", "كانون الأول"),
)
# Russian (Gmail/CLDR writes "нояб.", "февр.", "сент.", "мая") and Ukrainian short forms.
_CYRILLIC_ABBREVIATIONS = (
    ("янв", "січ"), ("фев", "февр", "лют"), ("мар", "бер", "берез"),
    ("апр", "кві", "квіт"), ("май", "тра", "трав"), ("июн", "чер", "черв"),
    ("июл", "лип"), ("авг", "сер", "серп"), ("сен", "сент", "вер", "верес"),
    ("окт", "жов", "жовт"), ("ноя", "нояб", "лис", "листоп"), ("дек", "гру", "груд"),
)
# Finnish short forms (Gmail/CLDR: "24. marrask. 2026"): the stem up to "-kuu" plus "k".
_FINNISH_ABBREVIATIONS = (
    ("tammik",), ("helmik",), ("maalisk",), ("huhtik",), ("toukok",), ("kesäk",),
    ("heinäk",), ("elok",), ("syysk",), ("lokak",), ("marrask",), ("jouluk",),
)
_ALL_MONTH_NAMES: tuple[tuple[str, ...], ...] = tuple(
    a + b + c + d for a, b, c, d in zip(
        _MONTH_NAMES, _CYRILLIC_ABBREVIATIONS, _FINNISH_ABBREVIATIONS, _RTL_MONTHS,
        strict=True))
for _number, _names in enumerate(_ALL_MONTH_NAMES, start=1):
    for _name in _names:
        MONTHS.setdefault(_name, _number)

WEEKDAYS = frozenset(
    """
    måndag tisdag onsdag torsdag fredag lördag söndag mån tis ons tor tors fre lör sön
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur
    thurs fri sat sun mandag tirsdag onsdag torsdag fredag lørdag søndag man tir lør søn
    maanantai tiistai keskiviikko torstai perjantai lauantai sunnuntai ma ti ke to pe la su
    montag dienstag mittwoch donnerstag freitag samstag sonntag mo di mi do fr sa so
    lundi mardi mercredi jeudi vendredi samedi dimanche lun mar mer jeu ven sam dim
    lunes martes miércoles jueves viernes sábado domingo mié jue vie sáb dom
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag wo vr za zo
    lunedì martedì mercoledì giovedì venerdì sabato domenica gio
    poniedziałek wtorek środa czwartek piątek sobota niedziela pon wt śr czw pt sob niedz
    """.split()
)

# "Sent from my iPhone" in many languages: the start of the line, lower-case.
MOBILE_SIGNATURE_STARTS = (
    "sent from", "skickat från", "sendt fra", "lähetetty", "von meinem", "gesendet von",
    "envoyé de", "envoyé depuis", "enviado desde", "enviado de", "verzonden vanaf",
    "verstuurd vanaf", "verzonden met", "inviato da", "wysłane z", "wysłano z",
    "отправлено с", "get outlook for", "hämta outlook för", "skaffa outlook för",
    "sent via", "sent with", "skickat via", "skickades från", "sent using",
    "发自我的", "从我的", "從我的", "from my", "sent by", "verzonden met", "enviado con",
)

# Words naming the device or app in a mobile signature ("Sent from my cell, please
# excuse typos" is a signature; "Sent from my desk, is much easier" is not).
DEVICE_WORDS = (
    "iphone", "ipad", "ipod", "android", "mobile", "mobil", "phone", "galaxy", "samsung",
    "blackberry", "cell", "outlook", "mail", "airmail", "mailbox", "tablet", "huawei",
    "pixel", "nokia", "xiaomi", "htc", "windows", "device", "mobilgerät", "mobiltelefon",
    "smartphone", "telefon", "puhelin", "móvil", "portable", "ti-85", "alcatel",
)

# Closing phrases that open a sign-off block ("Med vänliga hälsningar / Anna Berg").
CLOSINGS = (
    "med vänliga hälsningar", "med vänlig hälsning", "vänliga hälsningar",
    "vänlig hälsning", "hälsningar", "hälsning", "mvh", "mvh,", "ha det bra", "tack",
    "tack!", "tack på förhand", "stort tack", "hej då", "allt gott",
    "best regards", "kind regards", "warm regards", "regards", "best", "cheers",
    "thanks", "thank you", "thanks!", "many thanks", "best wishes", "sincerely",
    "yours sincerely", "all the best", "br", "rgds", "greetings",
    "med vennlig hilsen", "vennlig hilsen", "hilsen", "mvh", "med venlig hilsen",
    "venlig hilsen", "kh", "ystävällisin terveisin", "terveisin", "t.",
    "mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße",
    "viele grüße", "beste grüße", "liebe grüße", "gruß", "grüße", "lg", "vg", "mfg",
    "cordialement", "bien cordialement", "bien à vous", "salutations", "merci",
    "saludos", "un saludo", "atentamente", "saludos cordiales", "gracias",
    "met vriendelijke groet", "met vriendelijke groeten", "groeten", "groet",
    "cordiali saluti", "saluti", "distinti saluti", "grazie",
    "pozdrawiam", "z poważaniem", "pozdrowienia", "dziękuję", "dzięki", "dziękuję bardzo",
    "pozdrawiam serdecznie", "serdecznie pozdrawiam", "pozdr", "serdeczności",
    "mange tak", "tusen tak", "takk", "tusen takk", "kiitos", "bedankt", "dank je", "danke",
    # Russian, Ukrainian
    "с уважением", "с наилучшими пожеланиями", "всего доброго",
    "всего наилучшего", "всего хорошего", "спасибо", "заранее спасибо", "благодарю",
    "с благодарностью", "з повагою", "з найкращими побажаннями", "дякую", "щиро дякую",
    # Portuguese, Italian, Spanish, French, Dutch, German, Nordic extras
    "atenciosamente", "cumprimentos", "melhores cumprimentos", "com os melhores cumprimentos",
    "abraços", "abraço", "obrigado", "obrigada", "cordialmente", "un saluto", "un abbraccio",
    "un abrazo", "amicalement", "bonne journée", "hartelijke groet", "hartelijke groeten",
    "vriendelijke groet", "vriendelijke groeten", "mvg", "herzliche grüße", "schöne grüße",
    "bästa hälsningar", "mange hilsner", "parhain terveisin",
    "ystävällisesti", "serdecznie", "s pozdravem", "děkuji", "s pozdrowieniami",
)

# First-line prefixes of external-sender banners that mail systems put on top.
BANNER_STARTS = (
    "caution:", "warning:", "external email", "external:", "[external]", "[extern]",
    "extern avsändare", "varning:", "obs! detta", "this email originated from outside",
    "this message originated from outside", "this message is from an external sender",
    "detta e-postmeddelande kommer från", "detta mejl kommer från", "du får inte ofta",
    "you don't often get email from", "some people who received this message",
    "achtung:", "externe e-mail", "externe nachricht", "this message was sent from outside",
    "this email was sent from outside", "externt e-postmeddelande", "extern e-post",
    "e-postmeddelandet kommer från en extern", "this email is from an external",
)

# Words in a trailing paragraph that mark a legal disclaimer.
DISCLAIMER_WORDS = (
    "confidential", "intended recipient", "intended solely", "privileged",
    "konfidentiell", "sekretess", "avsedd mottagare", "avsedd endast", "personuppgifter",
    "vertraulich", "empfänger", "confidentiel", "destinataire", "confidencial",
    "vertrouwelijk", "riservat", "poufn", "gdpr", "dataskydd", "integritetspolicy",
    "privacy policy", "privacy notice", "datenschutz", "adressat", "addressee",
    "destinatario", "destinataris",
)

# Words that tell the language of a text; scored by counting.
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "sv": ("och", "att", "det", "är", "jag", "inte", "för", "som", "på", "med", "hej",
           "skrev", "från", "skickat", "ämne", "tack", "vänliga", "hälsningar", "vi",
           "kan", "har", "någon", "till", "också", "måste", "eller", "om"),
    "en": ("the", "and", "is", "you", "to", "of", "that", "it", "for", "wrote", "from",
           "sent", "subject", "thanks", "regards", "hi", "have", "this", "with", "are"),
    "no": ("og", "ikke", "jeg", "er", "det", "skrev", "fra", "sendt", "emne", "hilsen",
           "meg", "deg", "hva", "kan", "til"),
    "da": ("og", "ikke", "jeg", "er", "det", "skrev", "fra", "sendt", "emne", "hilsen",
           "mig", "dig", "hvad", "venlig"),
    "fi": ("ja", "on", "ei", "että", "kirjoitti", "lähettäjä", "aihe", "kiitos",
           "terveisin", "se", "mutta", "hei"),
    "de": ("und", "ist", "nicht", "ich", "die", "der", "das", "schrieb", "von", "gesendet",
           "betreff", "mit", "grüßen", "danke", "sie", "ein", "zu"),
    "fr": ("et", "est", "le", "la", "les", "je", "pas", "vous", "écrit", "objet", "merci",
           "cordialement", "une", "pour", "de", "que"),
    "es": ("y", "el", "la", "que", "es", "los", "escribió", "asunto", "gracias", "saludos",
           "por", "una", "para", "de"),
    "nl": ("en", "het", "een", "niet", "ik", "schreef", "onderwerp", "van", "groet",
           "dank", "is", "dat", "voor"),
    "it": ("e", "il", "che", "non", "è", "di", "scritto", "oggetto", "grazie", "saluti",
           "per", "una", "sono"),
    "pl": ("i", "nie", "że", "jest", "się", "napisał", "temat", "dziękuję", "pozdrawiam",
           "na", "to", "w", "z"),
}

# Named time zones that clients print after a quoted date ("um 09:30:12 MEZ").
ZONE_OFFSETS = {
    "gmt": "+00:00", "utc": "+00:00", "ut": "+00:00", "z": "+00:00", "wet": "+00:00",
    "bst": "+01:00", "cet": "+01:00", "mez": "+01:00", "west": "+01:00", "met": "+01:00",
    "cest": "+02:00", "mesz": "+02:00", "eet": "+02:00", "eest": "+03:00", "msk": "+03:00",
    "est": "-05:00", "edt": "-04:00", "cst": "-06:00", "cdt": "-05:00", "mst": "-07:00",
    "mdt": "-06:00", "pst": "-08:00", "pdt": "-07:00",
}
