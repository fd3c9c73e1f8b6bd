using System.Globalization;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// What a button does, in one compact form both adapters use as the button's payload (Telegram <c>callback_data</c>,
/// at most 64 bytes; Discord <c>custom_id</c>, at most 100 characters). The payload comes back from the user's client,
/// so it is never trusted: it names a subscription or an offer by id, and the handler checks that the chat that
/// pressed owns it and may change it. Queries never travel in a payload (they can be 256 characters); an offer is
/// kept server-side under a short token.
/// </summary>
public abstract record ChatAction
{
    private ChatAction()
    {
    }

    /// <summary>Mute one subscription for an hour, or until tomorrow morning in the chat's zone.</summary>
    public sealed record Mute(long SubscriptionId, bool UntilMorning) : ChatAction;

    /// <summary>Undo of <see cref="Mute"/>.</summary>
    public sealed record Unmute(long SubscriptionId) : ChatAction;

    /// <summary>End one subscription.</summary>
    public sealed record End(long SubscriptionId) : ChatAction;

    /// <summary>Undo of <see cref="End"/>: the ended subscription, kept under a token, comes back in its old place.</summary>
    public sealed record Restore(string Token) : ChatAction;

    /// <summary>Subscribe to a query offered under a token (deep link, plain text, corrected query).</summary>
    public sealed record SubscribeOffer(string Token) : ChatAction;

    /// <summary>Subscribe to one of the examples of <c>/start</c>.</summary>
    public sealed record SubscribeExample(int Index) : ChatAction;

    /// <summary>Show the full query help.</summary>
    public sealed record Help : ChatAction;

    /// <summary>Confirm or cancel <c>/stop</c>.</summary>
    public sealed record Stop(bool Confirmed) : ChatAction;

    public string Encode() => this switch
    {
        Mute m => $"{(m.UntilMorning ? "mm" : "mh")}:{Id(m.SubscriptionId)}",
        Unmute u => $"um:{Id(u.SubscriptionId)}",
        End e => $"end:{Id(e.SubscriptionId)}",
        Restore r => $"re:{r.Token}",
        SubscribeOffer o => $"so:{o.Token}",
        SubscribeExample x => $"ex:{x.Index.ToString(CultureInfo.InvariantCulture)}",
        Help => "help",
        Stop s => s.Confirmed ? "stop:yes" : "stop:no",
        _ => throw new InvalidOperationException($"unknown action {GetType().Name}"),
    };

    public static ChatAction? Decode(string? payload)
    {
        if (string.IsNullOrEmpty(payload) || payload.Length > 100)
        {
            return null;
        }

        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? payload : payload[..colon];
        var arg = colon < 0 ? "" : payload[(colon + 1)..];
        return kind switch
        {
            "mh" when TryId(arg, out var id) => new Mute(id, false),
            "mm" when TryId(arg, out var id) => new Mute(id, true),
            "um" when TryId(arg, out var id) => new Unmute(id),
            "end" when TryId(arg, out var id) => new End(id),
            "re" when IsToken(arg) => new Restore(arg),
            "so" when IsToken(arg) => new SubscribeOffer(arg),
            "ex" when int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => new SubscribeExample(n),
            "help" when arg.Length == 0 => new Help(),
            "stop" when arg is "yes" or "no" => new Stop(arg == "yes"),
            _ => null,
        };
    }

    /// <summary>A fresh random token for an offer or an undo: 12 characters of [a-z0-9].</summary>
    public static string NewToken()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> chars = stackalloc char[12];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        return new string(chars);
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static bool TryId(string text, out long id) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    private static bool IsToken(string text) => text.Length is > 0 and <= 32 && text.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9'));
}

/// <summary>One button under a reply or an alert: its label in the chat's language and what it does.</summary>
public sealed record ChatButton(string Label, ChatAction Action);
