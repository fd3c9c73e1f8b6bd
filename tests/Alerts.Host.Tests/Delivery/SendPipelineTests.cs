using Alerts.Core.Delivery;
using Alerts.Host.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Host.Tests.Delivery;

/// <summary>How many sends the dispatcher keeps in flight per channel, from the round trips it observed.</summary>
public sealed class SendPipelineTests
{
    private static readonly ChannelLimits ThirtyPerSecond = new(new RateLimitRule(30, TimeSpan.FromSeconds(1)), null, null);

    [Theory]
    [InlineData(10, 2)]
    [InlineData(50, 3)]
    [InlineData(100, 5)]
    [InlineData(200, 8)]
    [InlineData(250, 8)]
    [InlineData(2000, 8)]
    public void KeepsEnoughInFlightForThirtyASecondAtTheObservedRoundTripUpToTheBound(int roundTripMs, int depth)
    {
        var channel = new RecordingChannel(new FakeTimeProvider(), ThirtyPerSecond);
        var pipeline = new SendPipeline(8);
        for (var i = 0; i < 15; i++)
        {
            pipeline.Start(channel);
            pipeline.Finish(channel, TimeSpan.FromMilliseconds(roundTripMs));
        }

        Assert.Equal(depth, pipeline.DepthOf(channel));
    }

    [Fact]
    public void OneSlowAnswerDoesNotDeepenThePipelineButASlowerApiDoes()
    {
        var channel = new RecordingChannel(new FakeTimeProvider(), ThirtyPerSecond);
        var pipeline = new SendPipeline(8);
        for (var i = 0; i < 15; i++)
        {
            pipeline.Start(channel);
            pipeline.Finish(channel, TimeSpan.FromMilliseconds(i == 7 ? 5000 : 50));
        }

        Assert.Equal(3, pipeline.DepthOf(channel));
        for (var i = 0; i < 8; i++)
        {
            pipeline.Start(channel);
            pipeline.Finish(channel, TimeSpan.FromMilliseconds(250));
        }

        Assert.Equal(8, pipeline.DepthOf(channel));
    }

    [Fact]
    public void NeverMoreInFlightThanTheBoundOverAllChannelsTogether()
    {
        var a = new RecordingChannel(new FakeTimeProvider(), ChannelLimits.None, "a");
        var b = new RecordingChannel(new FakeTimeProvider(), ChannelLimits.None, "b");
        var pipeline = new SendPipeline(8);
        var started = 0;
        foreach (var channel in Enumerable.Repeat(a, 6).Concat(Enumerable.Repeat(b, 6)))
        {
            if (pipeline.CanStart(channel))
            {
                pipeline.Start(channel);
                started++;
            }
        }

        Assert.Equal(8, started);
        Assert.True(pipeline.Full);
    }
}
