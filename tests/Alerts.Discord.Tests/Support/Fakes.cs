using System.Collections.Concurrent;
using Alerts.Core.Subscriptions;

namespace Alerts.Discord.Tests.Support;

/// <summary>Records every call; replies are scripted; <see cref="Gate"/> can hold a call to make it slow.</summary>
internal sealed class RecordingSubscriptionCommands : ISubscriptionCommands
{
    public ConcurrentQueue<(string Command, Subscriber? Subscriber, string? Text, string? Source)> Calls { get; } = new();

    /// <summary>When set, calls wait for it (the command is "slow").</summary>
    public TaskCompletionSource? Gate { get; set; }

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Func<string, CommandReply>? Reply { get; set; }

    public Task<CommandReply> SubscribeAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default) =>
        Record("subscribe", subscriber, query, sourceId, $"Subscribed to {query}.", [query]);

    public Task<CommandReply> UnsubscribeAsync(Subscriber subscriber, string numberOrQuery, CancellationToken cancellationToken = default) =>
        Record("unsubscribe", subscriber, numberOrQuery, null, $"Removed {numberOrQuery}.");

    public Task<CommandReply> ListAsync(Subscriber subscriber, CancellationToken cancellationToken = default) =>
        Record("list", subscriber, null, null, "1. Drohne*");

    public Task<CommandReply> PreviewAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default) =>
        Record("preview", subscriber, query, sourceId, "No matches.");

    public Task<CommandReply> PauseAsync(Subscriber subscriber, CancellationToken cancellationToken = default) =>
        Record("pause", subscriber, null, null, "Paused.");

    public Task<CommandReply> ResumeAsync(Subscriber subscriber, CancellationToken cancellationToken = default) =>
        Record("resume", subscriber, null, null, "Resumed.");

    public Task<CommandReply> StopAsync(Subscriber subscriber, CancellationToken cancellationToken = default) =>
        Record("stop", subscriber, null, null, "Stop?");

    public Task<CommandReply> MuteAsync(Subscriber subscriber, string duration, CancellationToken cancellationToken = default) =>
        Record("mute", subscriber, duration, null, "Muted.");

    public Task<CommandReply> QuietAsync(Subscriber subscriber, string hours, CancellationToken cancellationToken = default) =>
        Record("quiet", subscriber, hours, null, "Quiet.");

    public Task<CommandReply> SetTimeZoneAsync(Subscriber subscriber, string zone, CancellationToken cancellationToken = default) =>
        Record("timezone", subscriber, zone, null, "Zone.");

    public Task<CommandReply> SetLanguageAsync(Subscriber subscriber, string language, CancellationToken cancellationToken = default) =>
        Record("language", subscriber, language, null, "Language.");

    public Task<CommandReply> SetFormatAsync(Subscriber subscriber, string format, CancellationToken cancellationToken = default) =>
        Record("format", subscriber, format, null, "Format.");

    public Task<CommandReply> OfferAsync(Subscriber subscriber, string query, bool shared, CancellationToken cancellationToken = default) =>
        Record("offer", subscriber, query, null, "Offer.");

    public async Task<ButtonOutcome> PressAsync(Subscriber subscriber, ChatAction action, bool numbered, CancellationToken cancellationToken = default)
    {
        var reply = await Record("press", subscriber, action.Encode(), null, "Pressed.");
        return new ButtonOutcome(reply.Text, [new ChatButton("undo", new ChatAction.Unmute(1))]);
    }

    public CommandReply Sources(Subscriber subscriber)
    {
        Calls.Enqueue(("sources", subscriber, null, null));
        return CommandReply.Ok("ntv-ukraine: ntv.de Ukraine-Liveticker");
    }

    public CommandReply Help(Subscriber subscriber, string commandSyntax)
    {
        Calls.Enqueue(("help", subscriber, commandSyntax, null));
        return CommandReply.Ok($"Write {commandSyntax}Drohne*");
    }

    public CommandReply Start(Subscriber subscriber) => CommandReply.Ok("Welcome.");

    public IReadOnlyList<ChatButton> AlertButtons(Subscriber subscriber, Subscription subscription) =>
        [new ChatButton("Mute", new ChatAction.Mute(subscription.Id, false)), new ChatButton("End", new ChatAction.End(subscription.Id))];

    private async Task<CommandReply> Record(string command, Subscriber subscriber, string? text, string? source, string reply, IReadOnlyList<string>? emphasis = null)
    {
        Calls.Enqueue((command, subscriber, text, source));
        Entered.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        return Reply?.Invoke(command) ?? new CommandReply(true, reply, emphasis);
    }
}
