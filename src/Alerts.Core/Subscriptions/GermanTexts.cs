using System.Globalization;
using System.Text.RegularExpressions;

namespace Alerts.Core.Subscriptions;

/// <summary>The German catalogue (see <see cref="ChatTexts"/>).</summary>
public sealed partial class GermanTexts : ChatTexts
{
    /// <summary>The parser's reasons (English, see QueryParser) and their German wording; <c>$1</c> carries the quoted part.</summary>
    private static readonly (Regex English, string German)[] Reasons =
    [
        (new(@"^query longer than (\d+) characters$"), "Suche länger als $1 Zeichen"),
        (new(@"^empty query$"), "die Suche ist leer"),
        (new(@"^unbalanced parenthesis$"), "Klammer ohne Gegenstück"),
        (new(@"^unexpected '(.*)'$"), "unerwartetes „$1“"),
        (new(@"^unclosed quote$"), "Anführungszeichen nicht geschlossen"),
        (new(@"^empty phrase$"), "leere Phrase"),
        (new(@"^'-' must be followed by a term$"), "nach „-“ muss ein Wort folgen"),
        (new(@"^'source:' needs a source id$"), "„source:“ braucht eine Quellen-ID"),
        (new(@"^unknown field '(.*)' \(known: headline:, source:\)$"), "unbekanntes Feld „$1“ (bekannt: headline:, source:)"),
        (new(@"^'\*' is only allowed at the end of a word$"), "„*“ ist nur am Wortende erlaubt"),
        (new(@"^'\*' needs 3 letters before it$"), "vor „*“ müssen mindestens 3 Buchstaben stehen"),
        (new(@"^a prefix must be a single word$"), "ein Präfix muss ein einzelnes Wort sein"),
        (new(@"^'(.*)' has no letters or digits$"), "„$1“ enthält keine Buchstaben oder Ziffern"),
        (new(@"^unclosed regex$"), "regulärer Ausdruck nicht mit „/“ geschlossen"),
        (new(@"^empty regex$"), "leerer regulärer Ausdruck"),
        (new(@"^dangling ','$"), "„,“ ohne zweites Wort"),
        (new(@"^dangling OR$"), "ODER ohne zweites Wort"),
        (new(@"^dangling AND$"), "UND ohne zweites Wort"),
        (new(@"^dangling NOT$"), "NICHT ohne folgendes Wort"),
        (new(@"^empty parentheses$"), "leere Klammern"),
        (new(@"^more than (\d+) terms$"), "mehr als $1 Begriffe"),
        (new(@"^query would match almost everything: .*$"), "diese Suche würde fast alles finden: sie braucht ein Wort, das nicht mit NICHT oder „-“ verneint ist (in jedem ODER-Zweig)"),
        (new(@"^'headline:' must be followed by .*$"), "nach „headline:“ muss ein Wort, eine Phrase, ein regulärer Ausdruck oder eine Klammer folgen"),
        (new(@"^nothing may follow a regex's closing '/' .*$"), "nach dem schließenden „/“ eines regulären Ausdrucks darf nichts folgen (es wird immer ohne Groß-/Kleinschreibung gesucht)"),
        (new(@"^invalid regex: backreferences, lookarounds, atomic groups and conditionals are not supported$"), "ungültiger regulärer Ausdruck: Rückverweise, Lookarounds, atomare Gruppen und Bedingungen werden nicht unterstützt"),
        (new(@"^invalid regex: it matches empty text, so it would match every item$"), "ungültiger regulärer Ausdruck: er passt auf leeren Text und damit auf jeden Eintrag"),
        (new(@"^invalid regex: (.*)$"), "ungültiger regulärer Ausdruck: $1"),
        (new(@"^regex would match almost everything: .*$"), "dieser reguläre Ausdruck würde fast alles finden: er muss nach etwas Bestimmtem fragen, mindestens zwei Zeichen"),
        (new(@"^regex too costly: a counted repetition of (\d+) is over the limit of (\d+) .*$"), "regulärer Ausdruck zu aufwendig: eine gezählte Wiederholung von $1 liegt über der Grenze von $2 (er lässt sich nicht günstig prüfen)"),
        (new(@"^regex too costly: its automaton has about (\d+) states, over the limit of (\d+) .*$"), "regulärer Ausdruck zu aufwendig: sein Automat hat etwa $1 Zustände, mehr als die Grenze von $2 (er lässt sich nicht günstig prüfen)"),
        (new(@"^regex too costly: it has (\d+) variable repetitions .* over the limit of (\d+) .*$"), "regulärer Ausdruck zu aufwendig: er hat ausgerollt $1 variable Wiederholungen (*, +, ?, {n,m}), mehr als die Grenze von $2 (er lässt sich nicht günstig prüfen)"),
        (new(@"^regexes too costly: together their automata have about (\d+) states, over the limit of (\d+) .*$"), "reguläre Ausdrücke zu aufwendig: ihre Automaten haben zusammen etwa $1 Zustände, mehr als die Grenze von $2 (sie lassen sich nicht günstig prüfen)"),
        (new(@"^regexes too costly: together they have (\d+) variable repetitions .* over the limit of (\d+) .*$"), "reguläre Ausdrücke zu aufwendig: sie haben ausgerollt zusammen $1 variable Wiederholungen (*, +, ?, {n,m}), mehr als die Grenze von $2 (sie lassen sich nicht günstig prüfen)"),
    ];

    public override string Language => ChatLanguage.German;

    public override CultureInfo Culture { get; } = CultureInfo.GetCultureInfo("de-DE");

    public override IReadOnlyList<(string Label, string Query)> Examples { get; } =
    [
        ("🛩 Drohnen", "Drohne"),
        ("🇺🇦 Selenskyj", "Selenskyj"),
        ("⚡ Stromausfall", "Stromausfall OR Blackout"),
    ];

    public override string StartIntro(string botName) => $"""
        Hallo! Ich beobachte Nachrichten-Liveticker und schicke dir jeden Eintrag, sobald er erwähnt, was du verfolgst.

        Tippe auf ein Beispiel oder schreib mir ein Wort (Drohne, Kiew, Nato …).
        /liste zeigt deine Abos, /stop beendet alles.
        """;

    public override string HelpButton => "❓ So schreibst du Suchen";

    public override string Help(string subscribe, SubscriptionLimits limits) => $"""
        Ich schicke dir einen Alert, wenn ein neuer Ticker-Eintrag zu einem deiner Abos passt.

        Abonnieren: {subscribe} Drohne
        • Groß-/Kleinschreibung und Umlaut-Schreibweisen sind egal: Außenminister = Aussenminister.
        • Mehrzahl und gebeugte Formen zählen: Drohne findet Drohnen, Soldat findet Soldaten.
        • Teile von Bindestrich-Wörtern zählen: Nato findet Nato-Gipfel; Rakete findet nicht Raketenangriff.
        • Präfix mit * (mindestens 3 Buchstaben): Raketen* findet Raketenangriff.
        • Phrase in Anführungszeichen: "Angriff auf Kiew"
        • Beide Wörter: Drohne Kiew
        • Eines der Wörter: Drohne ODER Rakete (oder: Drohne, Rakete)
        • Ohne ein Wort: Drohne -Odessa (oder: Drohne NICHT Odessa)
        • Klammern gruppieren: (Drohne ODER Rakete) Kiew
        • Nur Überschrift: headline:Selenskyj · nur eine Quelle: source:ID (siehe /quellen)
        • Regulärer Ausdruck: /F-?16/
        • Namen mit mehreren Schreibweisen gelten als ein Wort: Selenskyj = Zelensky = Зеленський.
        Grenzen: {limits.MaxQueryLength} Zeichen und {limits.MaxQueryTerms} Begriffe je Suche, {limits.MaxSubscriptionsPerSubscriber} Abos.
        """;

    public override string CommandOverview(IReadOnlyList<(string Command, string Description)> commands) =>
        "Befehle:\n" + Join(commands.Select(c => $"{c.Command} – {c.Description}"));

    public override string OfferShared(string query) => $"Jemand hat dieses Abo mit dir geteilt:\n{query}\nAbonnieren?";

    public override string OfferPlain(string query, int matchesLast24Hours) => matchesLast24Hours switch
    {
        0 => $"{query} abonnieren? In den letzten 24 Stunden hätte nichts gepasst.",
        1 => $"{query} abonnieren? In den letzten 24 Stunden hätte 1 Eintrag gepasst.",
        _ => $"{query} abonnieren? In den letzten 24 Stunden hätten {matchesLast24Hours} Einträge gepasst.",
    };

    public override string SubscribeButton => "✅ Abonnieren";

    public override string OfferExpired => "Dieses Angebot gilt nicht mehr; schick die Wörter bitte noch einmal.";

    public override string OnlyCommands => "Schick mir ein Wort, das ich verfolgen soll, oder /hilfe.";

    public override string UnknownCommand(string command) => $"{command} kenne ich nicht. /hilfe zeigt, was ich kann.";

    public override string Usage(string syntax, string example) => $"Bitte sag mir, was du meinst: {syntax}\nZum Beispiel: {example}";

    public override string Subscribed(int number, string query, string? source) => $"Abonniert #{number}: {query} — {Source(source)}";

    public override string AlreadySubscribed(int number, string query, string? source) => $"Das verfolgst du schon: #{number}: {query} — {Source(source)}";

    public override string LimitReached(int max) => $"Du hast die Grenze von {max} Abos erreicht. Beende eins (/abbestellen mit seiner Nummer), bevor du ein neues anlegst.";

    public override string PausedNote => "Alerts sind pausiert: Es kommt nichts, bis du /weiter schreibst.";

    public override string UnknownSource(string id, IReadOnlyList<string> valid) =>
        valid.Count == 0 ? $"Unbekannte Quelle „{id}“: Es sind keine Quellen eingerichtet." : $"Unbekannte Quelle „{id}“. Gültig: {string.Join(", ", valid)}.";

    public override string QueryError(string reason, int position) => $"Diese Suche kann ich nicht lesen: {reason} (Zeichen {position}).";

    public override string OperatorHint(string written, string meant, string corrected) =>
        $"Meintest du {meant}? Ein kleingeschriebenes „{written}“ wird als Wort gesucht. Operatoren schreibt man groß: {corrected}";

    public override string SaveCorrected(string corrected) => $"✅ {corrected}";

    public override string SaveAsWritten => "So speichern, wie geschrieben";

    public override string UnsubscribeWhich => "Welches Abo soll ich beenden? Seine Nummer aus /liste (2, 2 5 7, 4-10, all) oder seine Suche.";

    public override string NoSubscriptions => "Du hast keine Abos.";

    public override string NoSuchNumber(int number, int count) => $"Ein Abo #{number} gibt es nicht; du hast {count}.";

    public override string NoSuchQuery(string query) => $"Du hast kein Abo mit der Suche {query}.";

    public override string Unsubscribed(IReadOnlyList<(int Number, string Query)> removed) => removed.Count == 1
        ? $"Beendet #{removed[0].Number}: {removed[0].Query}"
        : $"{removed.Count} Abos beendet:\n" + Join(removed.Select(r => $"#{r.Number}: {r.Query}"));

    public override string StopAsk(int count) => count == 1
        ? "Dein Abo beenden und keine Alerts mehr in diesen Chat schicken?"
        : $"Alle {count} Abos beenden und keine Alerts mehr in diesen Chat schicken?";

    public override string StopYes => "🛑 Ja, alles beenden";

    public override string StopNo => "Abbrechen";

    public override string Stopped(int count) => $"Erledigt: {count} Abo(s) beendet, keine Alerts mehr. Schick ein Wort oder /start, um neu anzufangen.";

    public override string StopCancelled => "Nichts wurde geändert.";

    public override string ListHeader(int count, int max, bool channel) =>
        channel ? $"Abos dieses Kanals ({count} von {max}):" : $"Deine Abos ({count} von {max}):";

    public override string ListEmpty => "Noch keine Abos. Schick mir ein Wort, das ich verfolgen soll, oder /start für Beispiele.";

    public override string SourceAll => "alle Quellen";

    public override string Source(string? source) => source is null ? SourceAll : $"Quelle {source}";

    public override string MutedUntilNote(string until) => $"stumm bis {until}";

    public override string PausedState => "⏸ Pausiert: Es kommen keine Alerts, bis du /weiter schreibst.";

    public override string ChatMutedState(string until) => $"🔕 Stumm bis {until}.";

    public override string QuietState(string quiet, string zone) => $"🌙 Ruhezeit {quiet} ({zone}): Alerts kommen ohne Ton.";

    public override string DmRefusedState => "⚠️ Discord lehnt meine Direktnachrichten an dich ab (deine Privatsphäre-Einstellungen), deshalb kommen keine Alerts an. Erlaube Direktnachrichten von Servermitgliedern und nutze dann einen beliebigen Befehl.";

    public override string PreviewNone(string query, int looked, int sources) =>
        $"Vorschau für {query}: kein Treffer unter den letzten {looked} Einträgen aus {sources} Quelle(n). Nichts wurde gespeichert.";

    public override string PreviewHeader(string query, int matched, int looked, int shown) =>
        matched > shown ? $"Vorschau für {query}: {matched} der letzten {looked} Einträge passen, die neuesten {shown}:" : $"Vorschau für {query}: {matched} der letzten {looked} Einträge passen:";

    public override string PreviewFooter => "Nichts wurde gespeichert.";

    public override string Paused => "⏸ Pausiert: überhaupt keine Alerts, bis du /weiter schreibst. Deine Abos bleiben erhalten.";

    public override string Resumed => "▶️ Weiter: Alerts sind wieder an.";

    public override string Muted(string until) => $"🔕 Stumm bis {until}. Alerts in dieser Zeit entfallen; /mute off beendet es früher.";

    public override string Unmuted => "🔔 Stummschaltung beendet: Alerts sind an.";

    public override string MuteUsage => "Wie lange? /mute 30m, /mute 2h, /mute 1d (höchstens 7d) oder /mute off.";

    public override string QuietSet(string quiet, string zone) => $"🌙 Ruhezeit {quiet} ({zone}): Alerts in diesen Stunden kommen ohne Ton. /quiet off beendet sie.";

    public override string QuietOff => "Keine Ruhezeit mehr: Jeder Alert kommt mit Ton.";

    public override string QuietUsage => "Welche Stunden? Zum Beispiel /quiet 22-07 oder /quiet off.";

    public override string TimeZoneSet(string zone, string localNow) => $"Zeitzone {zone}: Dort ist es {localNow}. Zeiten in Alerts stehen in dieser Zone.";

    public override string TimeZoneUnknown(string input) => $"Die Zeitzone „{input}“ kenne ich nicht. Nimm einen IANA-Namen wie Europe/Berlin, Europe/Kyiv oder America/New_York.";

    public override string LanguageSet => "Ich schreibe in diesem Chat auf Deutsch.";

    public override string LanguageUsage => "Welche Sprache? /language de oder /language en.";

    public override string FormatSet(bool longFormat) => longFormat
        ? "Alerts enthalten jetzt den ganzen Eintrag."
        : "Alerts enthalten jetzt etwa die ersten 400 Zeichen eines Eintrags und einen Link.";

    public override string FormatUsage => "Welches Format? /format short (kurz) oder /format long (lang).";

    public override string NoSources => "Es sind keine Quellen eingerichtet.";

    public override string SourcesHeader => "Quellen (eine Suche auf eine beschränken mit source:ID):";

    public override string AdminsOnly => "In Gruppen können nur Admins des Chats Abos ändern.";

    public override string AdminCheckFailed => "Ich konnte nicht prüfen, ob du Admin dieses Chats bist (Telegram hat nicht geantwortet). Bitte versuch es in einer Minute noch einmal.";

    public override string ChannelNeedsPermission => "Die Alerts eines Kanals zu ändern braucht die Berechtigung „Kanäle verwalten“.";

    public override string HereOnlyInServer => "here:true geht nur in einem Serverkanal. In einer DM lass es weg: Die Alerts kommen dann direkt zu dir.";

    public override string WhoAreYou => "Discord hat nicht gesagt, wer du bist; bitte versuch es noch einmal.";

    public override string SomethingFailed => "Das hat wegen eines Fehlers bei mir nicht geklappt. Bitte versuch es in einer Minute noch einmal.";

    public override string FiredBy(int number, string query) => number > 0 ? $"Abo #{number}: {query}" : $"Abo: {query}";

    public override string OpenEntry => "Eintrag öffnen";

    public override string MuteHourButton => "🔕 1 Stunde";

    public override string MuteMorningButton => "🔕 Bis 7 Uhr";

    public override string EndButton => "✖ Beenden";

    public override string UndoButton => "↩ Rückgängig";

    public override string MutedUntilButton(string until) => $"🔕 Stumm bis {until}";

    public override string EndedButton => "✖ Beendet";

    public override string MutedToast(int number, string until) => $"#{number} stumm bis {until}.";

    public override string UnmutedToast(int number) => $"#{number} ist wieder an.";

    public override string EndedToast(int number, string query) => $"Beendet #{number}: {query}";

    public override string RestoredToast(string query) => $"Wieder da: {query}";

    public override string NotThisChatsSubscription => "Dieses Abo gibt es in diesem Chat nicht mehr.";

    public override string UndoExpired => "Zu spät zum Rückgängigmachen; abonniere einfach neu mit /abo.";

    public override string MoreMatched(int count) => count == 1 ? "… und 1 weiterer Eintrag hat gepasst." : $"… und {count} weitere Einträge haben gepasst.";

    public override string DmRefusedNotice => "⚠️ Discord hat meine letzte Direktnachricht an dich abgelehnt, deshalb kamen keine Alerts an. Ich versuche es beim nächsten Alert wieder; erlaube Direktnachrichten von Mitgliedern dieses Servers, falls es weiter scheitert.";

    public override string Reason(string englishReason)
    {
        foreach (var (english, german) in Reasons)
        {
            if (english.IsMatch(englishReason))
            {
                return english.Replace(englishReason, german);
            }
        }

        return englishReason;
    }
}
