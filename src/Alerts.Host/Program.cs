using Alerts.Discord;
using Alerts.Host;
using Alerts.Host.Cli;
using Alerts.Telegram;

if (CliApp.TryGetVerb(args, out var verb))
{
    return await CliApp.RunAsync(verb, args[1..], Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(CliApp.ServiceArguments(args));

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

public partial class Program;
