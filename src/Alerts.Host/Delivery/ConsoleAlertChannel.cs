using System.Globalization;
using System.Text;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;

namespace Alerts.Host.Delivery;

/// <summary>
/// Writes alerts to standard output (platform <c>console</c>): what a fresh install without chat tokens
/// shows for the subscriptions in <c>Alerts:ConsoleSubscriptions</c>.
/// </summary>
internal sealed class ConsoleAlertChannel(TextWriter output) : IAlertChannel
{
    private readonly Lock gate = new();

    public ConsoleAlertChannel()
        : this(Console.Out)
    {
    }

    public IReadOnlyCollection<string> Platforms { get; } = [Alerts.Core.Subscriptions.Platforms.Console];

    public ChannelLimits Limits => ChannelLimits.None;

    public Task<SendResult> SendAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken) =>
        Task.FromResult<SendResult>(Write(Render(alert, context, to)));

    internal static string Render(OutboxAlert alert, AlertContext context, Subscriber to)
    {
        var local = TimeZoneInfo.ConvertTime(alert.Published, context.TimeZone);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"[alert → {to.Id}] {local:dd.MM. HH:mm} {context.SourceName}: {alert.Headline}");
        if (alert.Matched.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"  (matched: {string.Join(", ", alert.Matched)})");
        }

        text.AppendLine();
        var body = alert.Body.Length > 400 ? alert.Body[..400].TrimEnd() + " …" : alert.Body;
        if (body.Length > 0)
        {
            text.Append("    ").AppendLine(body.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal));
        }

        if (alert.Url is not null)
        {
            text.Append("    ").AppendLine(alert.Url);
        }

        return text.ToString();
    }

    private SendResult Write(string text)
    {
        try
        {
            lock (gate)
            {
                output.Write(text);
                output.Flush();
            }

            return new SendResult.Sent(null);
        }
        catch (IOException e)
        {
            return new SendResult.Transient(e.Message);
        }
    }
}
