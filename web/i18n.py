"""Swedish and English UI strings, chosen by the `lang` cookie or Accept-Language.

A plain dictionary: the UI has a few dozen strings, and a catalogue compiler would add a
build step for no gain.  A missing key falls back to English, then to the key itself.
"""

from __future__ import annotations

from flask import request

LANGUAGES = ("sv", "en")

STRINGS: dict[str, dict[str, str]] = {
    "Feed": {"sv": "Flöde"},
    "Search": {"sv": "Sök"},
    "Search threads": {"sv": "Sök i trådar"},
    "Sign in": {"sv": "Logga in"},
    "Sign out": {"sv": "Logga ut"},
    "Your work address": {"sv": "Din jobbadress"},
    "Send me a sign-in link": {"sv": "Skicka en inloggningslänk"},
    "Check your mail": {"sv": "Kolla din e-post"},
    "sent_link": {
        "en": "If the address may sign in, a link is on its way. It works once, for 15 minutes.",
        "sv": "Om adressen får logga in är en länk på väg. Den fungerar en gång, i 15 minuter.",
    },
    "Read it in the local outbox": {"sv": "Läs den i den lokala utkorgen"},
    "only_domains": {
        "en": "Only addresses in these domains can sign in:",
        "sv": "Bara adresser i de här domänerna kan logga in:",
    },
    "Confirm sign-in": {"sv": "Bekräfta inloggning"},
    "confirm_text": {
        "en": "Sign in to the feed as",
        "sv": "Logga in i flödet som",
    },
    "follow_on": {"en": "You get replies on this thread by mail.",
                  "sv": "Du får svar i den här tråden som e-post."},
    "follow_off": {"en": "You don't get replies on this thread by mail.",
                   "sv": "Du får inte svar i den här tråden som e-post."},
    "Mail me replies": {"sv": "Mejla mig svaren"},
    "Stop mailing me replies": {"sv": "Sluta mejla mig svaren"},
    "Move to the feed?": {"sv": "Flytta till flödet?"},
    "suggest_intro": {
        "en": "This is how the {messages} mails of your question would look on the feed. "
              "Nothing is published until you press the button.",
        "sv": "Så här skulle frågans {messages} mejl se ut i flödet. "
              "Inget publiceras förrän du trycker på knappen.",
    },
    "Publish to the feed": {"sv": "Publicera i flödet"},
    "Already on the feed": {"sv": "Redan i flödet"},
    "Not this one": {"sv": "Inte den här"},
    "Preview": {"sv": "Förhandsvisning"},
    "decline_text": {
        "en": "The question stays in mail and you will not be asked about it again.",
        "sv": "Frågan stannar i e-posten och du får ingen fler fråga om den.",
    },
    "Keep it in mail": {"sv": "Behåll den i e-posten"},
    "declined_text": {
        "en": "Noted. The question stays in mail.",
        "sv": "Noterat. Frågan stannar i e-posten.",
    },
    "Link expired": {"sv": "Länken har gått ut"},
    "Link already used": {"sv": "Länken är redan använd"},
    "Invalid link": {"sv": "Ogiltig länk"},
    "Request a new link": {"sv": "Be om en ny länk"},
    "All": {"sv": "Alla"},
    "questions": {"en": "Questions", "sv": "Frågor"},
    "unanswered": {"en": "Unanswered", "sv": "Obesvarade"},
    "answered": {"en": "Answered", "sv": "Besvarade"},
    "kudos": {"en": "Kudos", "sv": "Beröm"},
    "discussions": {"en": "Discussions", "sv": "Diskussioner"},
    "mine": {"en": "Mine", "sv": "Mina"},
    "mentions": {"en": "Mentioning me", "sv": "Nämner mig"},
    "kind_question": {"en": "Question", "sv": "Fråga"},
    "kind_discussion": {"en": "Discussion", "sv": "Diskussion"},
    "kind_kudos": {"en": "Kudos", "sv": "Beröm"},
    "state_answered": {"en": "Answered", "sv": "Besvarad"},
    # Counts as "Label: n" — no plural forms to get wrong in either language.
    "replies": {"en": "Replies", "sv": "Svar"},
    "likes": {"en": "Likes", "sv": "Gillningar"},
    "readers": {"en": "Readers", "sv": "Läsare"},
    "Moved from mail": {"sv": "Flyttad från e-post"},
    "Trimmed text": {"sv": "Bortklippt text"},
    "Reply": {"sv": "Svara"},
    "Your reply (Markdown)": {"sv": "Ditt svar (Markdown)"},
    "Post reply": {"sv": "Skicka svar"},
    "Like": {"sv": "Gilla"},
    "Mark as answer": {"sv": "Markera som svar"},
    "Answer": {"sv": "Svar"},
    "Mentioned": {"sv": "Nämnda"},
    "Newer": {"sv": "Nyare"},
    "Older": {"sv": "Äldre"},
    "No threads yet.": {"sv": "Inga trådar än."},
    "Recent mail": {"sv": "Senaste e-post"},
    "Outbox": {"sv": "Utkorg"},
    "Time": {"sv": "Tid"},
    "Sender": {"sv": "Avsändare"},
    "Subject": {"sv": "Ämne"},
    "Action": {"sv": "Åtgärd"},
    "Reason": {"sv": "Skäl"},
    "Purpose": {"sv": "Syfte"},
    "Recipient": {"sv": "Mottagare"},
    "State": {"sv": "Status"},
    "Guest": {"sv": "Gäst"},
    "Asked": {"sv": "Frågat"},
    "Answers": {"sv": "Svar"},
    "Praised": {"sv": "Berömt"},
    "Notifications": {"sv": "Aviseringar"},
    "Skip to content": {"sv": "Hoppa till innehållet"},
    "Language": {"sv": "Språk"},
    "Filters": {"sv": "Filter"},
    "Atom feed": {"sv": "Atom-flöde"},
    "days": {"sv": "dagar"},
    "minutes": {"sv": "minuter"},
    "Statistics": {"sv": "Statistik"},
    "Threads on the feed": {"sv": "Trådar i flödet"},
    "Mails those chains had": {"sv": "Mejl i de kedjorna"},
    "Typical time in mail (median)": {"sv": "Typisk tid i e-post (median)"},
    "Questions answered": {"sv": "Besvarade frågor"},
    "Typical time to an answer on the feed (median)": {
        "sv": "Typisk tid till svar i flödet (median)"},
    "Readers": {"sv": "Läsare"},
    "Replies written on the feed": {"sv": "Svar skrivna i flödet"},
    "Who answers": {"sv": "Vem svarar"},
    "hours": {"sv": "timmar"},
    "Download": {"sv": "Ladda ner"},
    "Original mail": {"sv": "Originalmejl"},
    "Attachments": {"sv": "Bilagor"},
    "Search in": {"sv": "Sök i"},
    "scope_all": {"en": "Everything", "sv": "Allt"},
    "scope_own": {"en": "What people wrote", "sv": "Det folk skrev"},
    "scope_trimmed": {
        "en": "Trimmed text (signatures, quotes)",
        "sv": "Bortklippt text (signaturer, citat)",
    },
    "Hide": {"sv": "Dölj"},
    "Delete": {"sv": "Ta bort"},
    "Hide thread": {"sv": "Dölj tråden"},
    "This is praise (kudos)": {"sv": "Det här är beröm (kudos)"},
    "Quarantined mail": {"sv": "Mejl i karantän"},
    "Nothing is quarantined.": {"sv": "Inget ligger i karantän."},
    "Received": {"sv": "Mottaget"},
    "Source": {"sv": "Källa"},
    "Error": {"sv": "Fel"},
    "Attempts": {"sv": "Försök"},
    "Retry": {"sv": "Försök igen"},
    "Outbound mail": {"sv": "Utgående e-post"},
    "Mail about this thread": {"sv": "Mejl om den här tråden"},
    "mute_ask": {
        "en": "You get a mail when someone replies to this thread on the feed.",
        "sv": "Du får ett mejl när någon svarar i den här tråden i flödet.",
    },
    "mute_done": {
        "en": "Done: no more mail about this thread.",
        "sv": "Klart: inga fler mejl om den här tråden.",
    },
    "mute_already": {
        "en": "You get no mail about this thread.",
        "sv": "Du får inga mejl om den här tråden.",
    },
    "mute_resumed": {
        "en": "Done: you get a mail again when someone replies.",
        "sv": "Klart: du får mejl igen när någon svarar.",
    },
    "Stop these mails": {"sv": "Stoppa de här mejlen"},
    # issue 16: people, time, the look
    "Back to the feed": {"sv": "Tillbaka till flödet"},
    "error_title_400": {"en": "That request did not work", "sv": "Det där gick inte"},
    "error_text_400": {
        "en": "The page sent something we could not use. Reload the page and try again.",
        "sv": "Sidan skickade något vi inte kunde använda. Ladda om sidan och försök igen."},
    "error_title_403": {"en": "Not for you, this one", "sv": "Det här får du inte göra"},
    "error_text_403": {
        "en": "You are signed in, but this needs other rights (the asker's or a moderator's).",
        "sv": "Du är inloggad, men det här kräver andra rättigheter (frågeställarens eller "
              "en moderators)."},
    "error_title_404": {"en": "Page not found", "sv": "Sidan finns inte"},
    "error_text_404": {
        "en": "The link may be old, or the thread was removed. Search for it from the top.",
        "sv": "Länken kan vara gammal, eller så togs tråden bort. Sök efter den högst upp."},
    "error_title_405": {"en": "That does not work here", "sv": "Det fungerar inte här"},
    "error_text_405": {"en": "This address does not take that kind of request.",
                       "sv": "Den här adressen tar inte emot den sortens anrop."},
    "error_title_413": {"en": "Too large", "sv": "För stort"},
    "error_text_413": {"en": "What you sent is larger than the feed accepts (1 MB).",
                       "sv": "Det du skickade är större än flödet tar emot (1 MB)."},
    "error_title_500": {"en": "Something went wrong", "sv": "Något gick fel"},
    "error_text_500": {
        "en": "It is our fault, not yours, and it has been logged. Try again in a moment.",
        "sv": "Felet är vårt, inte ditt, och det har loggats. Försök igen om en stund."},
    "Results for": {"sv": "Träffar för"},
    "Apply": {"sv": "Använd"},
    "search_guide_title": {"en": "Search every thread on the feed",
                           "sv": "Sök i alla trådar i flödet"},
    "search_guide_box": {"en": "Type words in the search box at the top of every page.",
                         "sv": "Skriv ord i sökrutan högst upp på varje sida."},
    "search_guide_words": {
        "en": "A thread is found when it has all your words, in the title or any of its posts.",
        "sv": "En tråd hittas när den har alla dina ord, i rubriken eller i något inlägg."},
    "search_guide_forms": {
        "en": "Word forms and compounds count: “nyckel” also finds “Nycklarna” and “nyckelskåp”.",
        "sv": "Böjningar och sammansättningar räknas: ”nyckel” hittar också ”Nycklarna” "
              "och ”nyckelskåp”."},
    "threads_found": {"en": "Threads found: {n}", "sv": "Hittade trådar: {n}"},
    "search_filtered_out": {"en": "Threads matched, but none under this filter.",
                            "sv": "Trådar matchade, men ingen med det här filtret."},
    "Search all threads": {"sv": "Sök i alla trådar"},
    "No thread has all of these words.": {"sv": "Ingen tråd har alla de här orden."},
    "Did you mean": {"sv": "Menade du"},
    "search_other_language": {
        "en": "People write in Swedish and English: try the word in the other language, "
              "or fewer words.",
        "sv": "Folk skriver på svenska och engelska: pröva ordet på det andra språket, "
              "eller färre ord."},
    "Main": {"sv": "Huvudmeny"},
    "Name, address or title": {"sv": "Namn, adress eller titel"},
    "All departments": {"sv": "Alla avdelningar"},
    "Find": {"sv": "Sök"},
    "Nobody found.": {"sv": "Ingen hittades."},
    "people_empty_filter": {
        "en": "Nobody matches these words in this department.",
        "sv": "Ingen matchar de orden på den avdelningen.",
    },
    "people_empty": {
        "en": "People appear here when they write or when the directory is imported.",
        "sv": "Personer syns här när de skriver eller när katalogen importeras.",
    },
    "Show everyone": {"sv": "Visa alla"},
    "Reports to": {"sv": "Chef:"},
    "Nobody has mentioned you yet.": {"sv": "Ingen har nämnt dig än."},
    "No questions yet.": {"sv": "Inga frågor än."},
    "No accepted answers yet.": {"sv": "Inga godkända svar än."},
    "No praise yet.": {"sv": "Inget beröm än."},
    "Time zone": {"sv": "Tidszon"},
    "Show times in": {"sv": "Visa tider i"},
    "Automatic (this browser)": {"sv": "Automatiskt (den här webbläsaren)"},
    "Save": {"sv": "Spara"},
    "The post was removed.": {"sv": "Inlägget togs bort."},
    "The thread was hidden.": {"sv": "Tråden doldes."},
    "Undo": {"sv": "Ångra"},
    "Solved": {"sv": "Löst"},
    "Open question": {"sv": "Obesvarad"},
    "last reply by": {"sv": "senaste svar av"},
    "moved_short": {"en": "from mail ({messages} mails, {people} people)",
                    "sv": "från e-post ({messages} mejl, {people} personer)"},
    "Thread actions": {"sv": "Åtgärder för tråden"},
    "Post actions": {"sv": "Åtgärder för inlägget"},
    "answer_by": {"en": "answered by {name}", "sv": "besvarad av {name}"},
    "Go to the answer": {"sv": "Gå till svaret"},
    "empty_reply": {"en": "Write something before you post: the reply is empty.",
                    "sv": "Skriv något innan du skickar: svaret är tomt."},
    "html_as_text": {"en": "This mail was written in HTML; it is shown here as text.",
                     "sv": "Mejlet var skrivet i HTML; här visas det som text."},
    "Download (.eml)": {"sv": "Ladda ner (.eml)"},
    "Pages": {"sv": "Sidor"},
    "Show all threads": {"sv": "Visa alla trådar"},
    "empty_filter_hint": {"en": "Nothing matches this filter right now.",
                          "sv": "Inget matchar filtret just nu."},
    "empty_questions": {"en": "No questions yet.", "sv": "Inga frågor än."},
    "empty_unanswered": {"en": "Every question has an answer.", "sv": "Alla frågor har svar."},
    "empty_answered": {"en": "No question has an accepted answer yet.",
                       "sv": "Ingen fråga har ett godkänt svar än."},
    "empty_kudos": {"en": "No praise yet.", "sv": "Inget beröm än."},
    "empty_discussions": {"en": "No discussions yet.", "sv": "Inga diskussioner än."},
    "empty_mine": {"en": "You have not asked or written anything yet.",
                   "sv": "Du har inte frågat eller skrivit något än."},
    "empty_mentions": {"en": "Nobody has mentioned you yet.", "sv": "Ingen har nämnt dig än."},
    "empty_feed_hint": {
        "en": "CC {address} on a reply-all thread and it moves here.",
        "sv": "Sätt {address} på kopia i en svara-alla-tråd så flyttar den hit.",
    },
    "Threads per week, by kind": {"sv": "Trådar per vecka, efter slag"},
    "Time to an answer: in mail and on the feed": {"sv": "Tid till svar: i mejlen och i flödet"},
    "Who takes part (1-9-90)": {"sv": "Vem som deltar (1-9-90)"},
    "Readers per thread": {"sv": "Läsare per tråd"},
    "in mail": {"sv": "i mejlen"},
    "on the feed": {"sv": "i flödet"},
    "in mail (unanswered while there)": {"sv": "i mejlen (obesvarad där)"},
    "on the feed (to the accepted answer)": {"sv": "i flödet (till det godkända svaret)"},
    "created": {"sv": "skapade"},
    "replied, liked or praised": {"sv": "svarade, gillade eller berömde"},
    "only read": {"sv": "läste bara"},
    "not seen yet": {"sv": "inte sett än"},
    "Data": {"sv": "Data"},
    "Period": {"sv": "Period"},
    "30 days": {"sv": "30 dagar"},
    "90 days": {"sv": "90 dagar"},
    "a year": {"sv": "ett år"},
    "all time": {"sv": "all tid"},
    "Department": {"sv": "Avdelning"},
    "Show": {"sv": "Visa"},
    "Mail versus feed": {"sv": "Mejl mot flöde"},
    "typical time to an answer on the feed": {"sv": "typisk tid till svar i flödet"},
    "typical time the same questions had waited in mail": {
        "sv": "typisk tid samma frågor hade väntat i mejlen"},
    "colleagues reached who were never on the mail": {
        "sv": "kolleger nådda som aldrig var med på mejlet"},
    "answers from someone who was never on the mail": {
        "sv": "svar från någon som aldrig var med på mejlet"},
    "Questions without a reply after a day": {"sv": "Frågor utan svar efter en dag"},
    "Group": {"sv": "Grupp"},
    "People": {"sv": "Personer"},
    "Share": {"sv": "Andel"},
    "Week": {"sv": "Vecka"},
    "Threads": {"sv": "Trådar"},
    "No threads in this period.": {"sv": "Inga trådar under perioden."},
    "Ambassadors": {"sv": "Ambassadörer"},
    "Ambassador": {"sv": "Ambassadör"},
    "Colleagues who answer others' questions, whose posts are liked, and who bring threads "
    "over from mail.": {
        "sv": "Kolleger som svarar på andras frågor, vars inlägg gillas och som flyttar "
              "trådar från mejlen."},
    "Everyone": {"sv": "Alla"},
    "Person": {"sv": "Person"},
    "Replies": {"sv": "Repliker"},
    "Likes received": {"sv": "Fått gillanden"},
    "Mark as ambassador": {"sv": "Markera som ambassadör"},
    "Remove ambassador": {"sv": "Ta bort ambassadör"},
    "No one yet in this period.": {"sv": "Ingen än under perioden."},
    "On the feed: first reply after {duration}.": {
        "sv": "I flödet: första svaret efter {duration}."},
    "Answered after {duration}.": {"sv": "Besvarad efter {duration}."},
    "{count} of the repliers were never on the mail.": {
        "sv": "{count} av dem som svarade var aldrig med på mejlet."},
    "Read by {count}": {"sv": "Läst av {count}"},
    "Weekly digest": {"sv": "Veckosammanfattning"},
    "Done: no more weekly digests.": {"sv": "Klart: inga fler veckosammanfattningar."},
    "You get no weekly digest.": {"sv": "Du får ingen veckosammanfattning."},
    "Send me the digest again": {"sv": "Skicka sammanfattningen igen"},
    "Done: you get the weekly digest again.": {
        "sv": "Klart: du får veckosammanfattningen igen."},
    "Once a week you get a mail with questions waiting for someone like you, answered "
    "questions and praise.": {
        "sv": "En gång i veckan får du ett mejl med frågor som väntar på någon som du, "
              "besvarade frågor och beröm."},
    "Stop the weekly digest": {"sv": "Stoppa veckosammanfattningen"},
    "question": {"sv": "fråga"},
    "discussion": {"sv": "diskussion"},
    "praise": {"sv": "beröm"},
    "event": {"sv": "aktivitet"},
    "idea": {"sv": "idé"},
    "news": {"sv": "nyheter"},
    "Mail me again": {"sv": "Mejla mig igen"},
}


def choose_language(default: str) -> str:
    """The cookie if set, else the browser's best match, else the configured default."""
    chosen = request.cookies.get("lang")
    if chosen in LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(LANGUAGES)
    if best:
        return best
    return default if default in LANGUAGES else "en"


def translate(key: str, lang: str, **values: object) -> str:
    entry = STRINGS.get(key, {})
    text = entry.get(lang) or entry.get("en") or key
    return text.format(**values) if values else text
