using Alerts.Discord;
using Alerts.Host;
using Alerts.Host.Cli;
using Alerts.Host.Operations;
using Alerts.Host.Startup;
using Alerts.Telegram;
using Microsoft.Extensions.Options;

if (CliApp.TryGetVerb(args, out var verb))
{
    return await CliApp.RunAsync(verb, args[1..], Console.Out, Console.Error);
}

WebApplication? app = null;
try
{
    var builder = WebApplication.CreateBuilder(CliApp.ServiceArguments(args));
    builder.AddAlertsConfiguration();
    builder.AddAlertsCore();
    builder.AddAlertsStorage();
    builder.AddAlertsPolling();
    builder.AddTelegram();
    builder.AddDiscord();

    // Every configuration problem is found before any lease is taken or port bound (SPEC §10), and all are reported at once.
    var problems = StartupChecks.BeforeBuild(builder);
    if (problems.Count > 0)
    {
        throw new InvalidConfigurationException(problems);
    }

    app = builder.Build();

    app.Services.GetService<IStartupValidator>()?.Validate();
    await app.Services.GetRequiredService<DatabaseStartup>().PrepareAsync(CancellationToken.None);
    app.Services.GetRequiredService<StartupReport>().Log();

    app.MapOperations();
    app.MapTelegramWebhook();
    app.MapDiscordInteractions();

    await app.RunAsync();
    return 0;
}
catch (Exception e) when (InvalidConfigurationException.ProblemsOf(e) is { } problems)
{
    if (app is not null && HostingExtensions.IsTheServiceProcess)
    {
        // Flushes the console logger, so the lines written before a failed start (database retries) are not lost.
        // Not in a test host, whose services the test still uses.
        await app.DisposeAsync();
    }

    return InvalidConfigurationException.Report(problems, Console.Error);
}

public partial class Program;
