using SteelCI.Ports;

namespace SteelCI.GitHub.Tests;

/// <summary>github-api.md §1.7: retry-after first, then x-ratelimit-reset when remaining is 0, on the injected clock.</summary>
public sealed class RateLimitTests
{
    private static async Task<(Harness H, string Tag)> PublishedAsync()
    {
        var h = await Harness.StartAsync();
        var output = h.Output("a");
        var tag = Harness.TagOf(output);
        await h.Store().PublishAsync(tag, output, false, CancellationToken.None);
        return (h, tag);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public async Task A_secondary_limit_waits_exactly_retry_after(int status)
    {
        var (h, tag) = await PublishedAsync();
        await using var _ = h;
        h.Server.Faults.SecondaryLimit(1, status, retryAfterSeconds: 37, pathContains: "/releases/tags/");
        var start = h.Time.GetUtcNow();

        Assert.NotNull(await h.Store().FindAsync(tag, CancellationToken.None));

        Assert.Equal([TimeSpan.FromSeconds(37)], h.Waits);
        Assert.Equal(TimeSpan.FromSeconds(37), h.Time.GetUtcNow() - start);
    }

    [Fact]
    public async Task A_rate_limited_upload_waits_and_the_publish_completes()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a");
        h.Server.Faults.SecondaryLimit(2, 429, retryAfterSeconds: 5, pathContains: "/api/uploads/");

        await h.Store().PublishAsync(Harness.TagOf(output), output, false, CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)], h.Waits);
        Assert.False(Assert.Single(h.Releases()).Draft);
    }

    [Fact]
    public async Task An_exhausted_primary_limit_waits_until_the_reset()
    {
        var (h, tag) = await PublishedAsync();
        await using var _ = h;
        h.Server.ExhaustRateLimit(TimeSpan.FromMinutes(10));

        Assert.NotNull(await h.Store().FindAsync(tag, CancellationToken.None));

        Assert.Equal([TimeSpan.FromSeconds(601)], h.Waits); // reset + 1 s
    }

    [Fact]
    public async Task The_wait_really_holds_the_request_back_until_the_clock_moves()
    {
        var (h, tag) = await PublishedAsync();
        await using var _ = h;
        h.AutoAdvance = false;
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.OnWait = _ => waiting.TrySetResult();
        h.Server.Faults.SecondaryLimit(1, 403, retryAfterSeconds: 60);

        var find = h.Store().FindAsync(tag, CancellationToken.None);
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        h.Time.Advance(TimeSpan.FromSeconds(59));
        await Task.Yield();
        Assert.False(find.IsCompleted);
        var before = h.Server.State.Requests.Count;

        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await find.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(h.Server.State.Requests.Count > before);
    }

    [Fact]
    public async Task Endless_limits_give_up_after_the_configured_attempts()
    {
        var (h, tag) = await PublishedAsync();
        await using var _ = h;
        h.Server.Faults.SecondaryLimit(100, 403, retryAfterSeconds: 1);

        var error = await Assert.ThrowsAsync<GitHubStoreException>(() => h.Store(maxAttempts: 3).FindAsync(tag, CancellationToken.None));

        Assert.Contains("gave up after 3 attempts", error.Message);
        Assert.Equal(2, h.Waits.Count);
    }

    [Fact]
    public async Task A_reset_further_away_than_max_wait_fails_at_once_with_advice()
    {
        var (h, tag) = await PublishedAsync();
        await using var _ = h;
        h.Server.ExhaustRateLimit(TimeSpan.FromHours(3));

        var error = await Assert.ThrowsAsync<GitHubStoreException>(() => h.Store().FindAsync(tag, CancellationToken.None));

        Assert.Contains("Try again later", error.Message);
        Assert.Empty(h.Waits);
    }
    [Fact]
    public async Task Server_errors_back_off_exponentially_from_one_second_on_the_injected_clock()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a");
        h.Server.Faults.FailUploads(2);
        var start = h.Time.GetUtcNow();

        await h.Store().PublishAsync(Harness.TagOf(output), output, false, CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], h.Waits);
        Assert.Equal(TimeSpan.FromSeconds(3), h.Time.GetUtcNow() - start);
        Assert.Equal(2, h.Log.Count(l => l.StartsWith("waiting ", StringComparison.Ordinal)));
        Assert.False(Assert.Single(h.Releases()).Draft);
    }

    [Fact]
    public async Task A_wait_is_cancelled_with_the_call()
    {
        var (h, tag) = await PublishedAsync();
        await using var _ = h;
        h.AutoAdvance = false;
        using var cancel = new CancellationTokenSource();
        h.OnWait = _ => cancel.Cancel();
        h.Server.Faults.SecondaryLimit(1, 429, retryAfterSeconds: 30);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Store().FindAsync(tag, cancel.Token));

        Assert.Equal([TimeSpan.FromSeconds(30)], h.Waits);
    }
}
