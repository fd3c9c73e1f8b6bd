using System.Globalization;
using System.Text.RegularExpressions;

namespace Alerts.Core.Subscriptions;

/// <summary>Quiet hours in a subscriber's local time: <see cref="From"/> up to (not including) <see cref="To"/>; may wrap midnight.</summary>
public readonly record struct QuietHours(TimeOnly From, TimeOnly To)
{
    public bool Contains(TimeOnly local) => From <= To
        ? local >= From && local < To
        : local >= From || local < To; // 22-07 wraps midnight

    /// <summary>Stored and shown as <c>22:00-07:00</c>.</summary>
    public override string ToString() =>
        $"{From.ToString("HH:mm", CultureInfo.InvariantCulture)}-{To.ToString("HH:mm", CultureInfo.InvariantCulture)}";

    /// <summary>Reads <c>22-07</c>, <c>22:30-6</c> or <c>22:00-07:00</c>; the two ends must differ.</summary>
    public static bool TryParse(string? text, out QuietHours quiet)
    {
        quiet = default;
        var m = ChatTime.QuietPattern().Match(text?.Trim() ?? "");
        if (!m.Success || !TryTime(m.Groups[1].Value, m.Groups[2].Value, out var from) || !TryTime(m.Groups[3].Value, m.Groups[4].Value, out var to) || from == to)
        {
            return false;
        }

        quiet = new QuietHours(from, to);
        return true;
    }

    private static bool TryTime(string hours, string minutes, out TimeOnly time)
    {
        time = default;
        var h = int.Parse(hours, CultureInfo.InvariantCulture);
        var m = minutes.Length == 0 ? 0 : int.Parse(minutes, CultureInfo.InvariantCulture);
        if (h == 24 && m == 0)
        {
            h = 0;
        }

        if (h > 23 || m > 59)
        {
            return false;
        }

        time = new TimeOnly(h, m);
        return true;
    }
}

/// <summary>Time helpers of the chat commands: zones, mute durations, "tomorrow morning".</summary>
public static partial class ChatTime
{
    /// <summary>The hour (local) that "until tomorrow morning" means on an alert's mute button.</summary>
    public static readonly TimeOnly Morning = new(7, 0);

    /// <summary>The longest <c>/mute</c>: a week; longer silence is what <c>/pause</c> is for.</summary>
    public static readonly TimeSpan MaxMute = TimeSpan.FromDays(7);

    public static TimeZoneInfo FindZone(string? id)
    {
        if (TryFindZone(id, out var zone))
        {
            return zone;
        }

        return TimeZoneInfo.FindSystemTimeZoneById(Subscriber.DefaultTimeZone);
    }

    public static bool TryFindZone(string? id, out TimeZoneInfo zone)
    {
        zone = null!;
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    /// <summary>Reads <c>30m</c>, <c>2h</c>, <c>1d</c>, <c>1h30m</c> (also <c>2 h</c>, <c>90min</c>, German <c>2std</c>, <c>1t</c>).</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var input = (text ?? "").Trim().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
        var m = DurationPattern().Match(input);
        if (!m.Success || input.Length == 0)
        {
            return false;
        }

        foreach (Capture part in m.Groups["part"].Captures)
        {
            var p = PartPattern().Match(part.Value);
            var n = int.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture);
            duration += p.Groups[2].Value switch
            {
                "d" or "t" => TimeSpan.FromDays(n),
                "h" or "std" => TimeSpan.FromHours(n),
                _ => TimeSpan.FromMinutes(n),
            };
        }

        return duration > TimeSpan.Zero;
    }

    /// <summary>The next <see cref="Morning"/> after <paramref name="now"/> that is on a later calendar day, in <paramref name="zone"/>.</summary>
    public static DateTimeOffset TomorrowMorning(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var target = local.Date.AddDays(1) + Morning.ToTimeSpan();
        if (zone.IsInvalidTime(target))
        {
            target = target.AddHours(1);
        }

        return new DateTimeOffset(target, zone.GetUtcOffset(target));
    }

    /// <summary>A local time with its zone named, for example <c>14:05 (Europe/Berlin)</c> or <c>Mon 07:00 (Europe/Kyiv)</c> when not today.</summary>
    public static string Format(DateTimeOffset instant, DateTimeOffset now, TimeZoneInfo zone, CultureInfo culture)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        var day = local.Date == today ? "" : local.ToString("dd.MM. ", culture);
        return $"{day}{local.ToString("HH:mm", culture)} ({zone.Id})";
    }

    [GeneratedRegex(@"^(\d{1,2})(?::(\d{2}))?-(\d{1,2})(?::(\d{2}))?$", RegexOptions.CultureInvariant)]
    internal static partial Regex QuietPattern();

    [GeneratedRegex(@"^(?<part>\d{1,4}(?:d|t|h|std|m|min))+$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(\d+)(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex PartPattern();
}

/// <summary>The two languages of the chat surface (SPEC §5).</summary>
public static class ChatLanguage
{
    public const string German = "de";
    public const string English = "en";

    /// <summary>German for a client language starting with <c>de</c> (de, de-AT, de-CH), English otherwise.</summary>
    public static string FromClient(string? languageCode) =>
        languageCode is not null && languageCode.StartsWith("de", StringComparison.OrdinalIgnoreCase) ? German : English;

    /// <summary>Reads a <c>/language</c> argument: de, deutsch, german, en, english, englisch.</summary>
    public static string? Parse(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "de" or "deutsch" or "german" or "ger" => German,
        "en" or "english" or "englisch" or "eng" => English,
        _ => null,
    };
}
