using System.Net;
using Alerts.Host.Tests.Fakes;
using Xunit.Abstractions;

namespace Alerts.Host.Tests.Processes;

/// <summary>The database file deleted under a running service (issue 13): unhealthy at once, no writes, nothing re-created.</summary>
[Collection(ProcessTests.Name)]
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ADeletedDatabaseFileMakesTheServiceUnhealthyStopsPollingAndIsNeverCreatedAgain()
    {
        await using var feed = await FakeFeed.StartAsync();
        feed.Add("Weather", "Sunny.");
        var directory = Path.Combine(Path.GetTempPath(), "alerts-outage-" + Guid.NewGuid().ToString("N")[..8]);
        var file = Path.Combine(directory, "data", "alerts.db");
        await using var host = HostProcess.Start(directory, new Dictionary<string, string>
        {
            ["Alerts:Sources:0:Id"] = "test",
            ["Alerts:Sources:0:Kind"] = "feed",
            ["Alerts:Sources:0:Url"] = feed.Url,
            ["Alerts:Sources:0:PollInterval"] = "00:00:02",
        });

        await CrashTests.Until(() => host.Log.Contains("baseline of 1 items", StringComparison.Ordinal), TimeSpan.FromSeconds(60), host);
        var address = host.Output.Select(l => l.Trim()).First(l => l.StartsWith("Now listening on: ", StringComparison.Ordinal))["Now listening on: ".Length..];
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        using (var before = await client.GetAsync(new Uri("/healthz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var linesBefore = host.Output.Count;
        foreach (var part in new[] { file, file + "-wal", file + "-shm" })
        {
            File.Delete(part);
        }

        var deleted = TimeProvider.System.GetTimestamp();
        string body;
        while (true)
        {
            using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            body = await health.Content.ReadAsStringAsync();
            if (health.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                break;
            }

            Assert.True(TimeProvider.System.GetElapsedTime(deleted) < TimeSpan.FromSeconds(10), "still healthy 10 s after the file was deleted: " + body);
            await Task.Delay(100);
        }

        var detected = TimeProvider.System.GetElapsedTime(deleted);
        output.WriteLine($"unhealthy {detected.TotalMilliseconds:F0} ms after the database file was deleted");
        Assert.Contains("is gone", body, StringComparison.Ordinal);

        // Ten seconds on, with a new entry waiting: no poll got through to the ticker (at most the one running), no
        // file came back, nothing was alerted or taken as a new baseline, and the log did not flood.
        var requests = feed.Requests;
        feed.Add("Ukraine news", "Something new.");
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.False(File.Exists(file), "the database file was created again");
        Assert.InRange(feed.Requests - requests, 0, 1);
        Assert.DoesNotContain(host.Output, l => l.Contains("Ukraine news", StringComparison.Ordinal));
        Assert.Single(host.Output, l => l.Contains("baseline of", StringComparison.Ordinal));
        var newLines = host.Output.Skip(linesBefore).ToList();
        output.WriteLine($"{newLines.Count} log lines in the 10+ s after the deletion");
        Assert.True(newLines.Count < 40, "log flood:\n" + string.Join('\n', newLines));
        Assert.False(host.HasExited);
    }
}
