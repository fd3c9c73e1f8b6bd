using Alerts.Discord;
using Alerts.Host;
using Alerts.Host.Cli;
using Alerts.Host.Operations;
using Alerts.Telegram;
using Microsoft.Extensions.Options;

if (CliApp.TryGetVerb(args, out var verb))
{
    return await CliApp.RunAsync(verb, args[1..], Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(CliApp.ServiceArguments(args));

try
{
    builder.AddAlertsConfiguration();
    builder.AddAlertsCore();
    builder.AddAlertsStorage();
    builder.AddAlertsPolling();
    builder.AddTelegram();
    builder.AddDiscord();

    var app = builder.Build();

    app.MapOperations();
    app.MapTelegramWebhook();
    app.MapDiscordInteractions();

    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    return HostingExtensions.ReportInvalidConfiguration(e);
}

public partial class Program;
