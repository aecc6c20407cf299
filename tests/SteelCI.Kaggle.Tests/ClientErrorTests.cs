using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Credentials;
using SteelCI.Kaggle.Fake;

namespace SteelCI.Kaggle.Tests;

public sealed class ClientErrorTests
{
    private static readonly SaveKernelRequest Push = new()
    {
        Slug = "alice/push-once", NewTitle = "push-once", Text = "print(1)\n", Language = "python", KernelType = "script",
    };

    [Fact]
    public async Task A_rejected_token_says_renew_and_never_shows_the_token()
    {
        await using var h = await Harness.StartAsync();
        var client = h.Client(new KaggleAccount("alice", new TokenCredential(new Secret("KGAT_revoked_token_value"), "test")));
        var error = await Assert.ThrowsAsync<KaggleAuthException>(() => client.GetAcceleratorQuotaStatisticsAsync(CancellationToken.None));
        Assert.StartsWith("account alice: GetAcceleratorQuotaStatistics: token rejected (401); renew it at https://www.kaggle.com/settings", error.Message);
        Assert.DoesNotContain("KGAT_revoked", error.ToString());
        Assert.Equal(1, h.Server.State.Calls("GetAcceleratorQuotaStatistics")); // 401 is never retried
        var introspect = await Assert.ThrowsAsync<KaggleAuthException>(() => client.GetUsernameAsync(CancellationToken.None));
        Assert.DoesNotContain("KGAT_revoked", introspect.ToString());
    }

    [Fact]
    public async Task Legacy_keys_go_as_basic_auth_and_a_refusal_points_to_tokens()
    {
        await using (var h = await Harness.StartAsync())
            Assert.NotNull(await h.Carol().GetAcceleratorQuotaStatisticsAsync(CancellationToken.None));
        await using (var h = await Harness.StartAsync(o => o with { RejectBasicAuth = true }))
        {
            var error = await Assert.ThrowsAsync<KaggleAuthException>(() => h.Carol().GetAcceleratorQuotaStatisticsAsync(CancellationToken.None));
            Assert.Contains("key rejected (401)", error.Message);
            Assert.Contains("KAGGLE_API_TOKEN", error.Message);
            Assert.DoesNotContain(Harness.CarolKey, error.ToString());
        }
    }

    [Theory]
    [InlineData(FakeFault.RateLimited, 1.0)]            // honours Retry-After: 1
    [InlineData(FakeFault.RateLimitedNoRetryAfter, 1.8)] // jittered backoff from a 2 s base, randomizer pinned
    [InlineData(FakeFault.RateLimitedBadRetryAfter, 1.8)]
    [InlineData(FakeFault.ServerError, 1.8)]
    [InlineData(FakeFault.Html, 1.8)]
    [InlineData(FakeFault.ResetBefore, 1.8)]
    [InlineData(FakeFault.ResetAfter, 1.8)]
    public async Task Safe_calls_are_retried_after_the_right_delay(FakeFault fault, double expectedSeconds)
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice();
        h.Server.Faults.Next(fault, "GetAcceleratorQuotaStatistics");
        var start = h.Time.GetUtcNow();
        var task = alice.GetAcceleratorQuotaStatisticsAsync(CancellationToken.None);
        var quota = await h.Drive(task, TimeSpan.FromMilliseconds(250));
        Assert.NotNull(quota.GpuQuota);
        Assert.Equal(2, h.Server.State.Calls("GetAcceleratorQuotaStatistics"));
        var retry = Assert.Single(h.Log.Lines, l => l.StartsWith("warn: account alice: GetAcceleratorQuotaStatistics") && l.Contains("retry 1/4"));
        var delay = double.Parse(retry[(retry.LastIndexOf(" in ") + 4)..^2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expectedSeconds, delay, 1);
        // The log rounds the delay to 0.1 s; the clock moved by exactly the delay Polly waited.
        Assert.True((h.Time.GetUtcNow() - start).TotalSeconds >= delay - 0.05, "the retry came before its delay had passed on the clock");
    }

    [Fact]
    public async Task Retries_give_up_after_the_limit_with_the_last_failure()
    {
        await using var h = await Harness.StartAsync();
        for (var i = 0; i < 10; i++)
            h.Server.Faults.Next(FakeFault.Html, "GetDatasetStatus");
        var error = await Assert.ThrowsAsync<KaggleTransientException>(() => h.Drive(h.Alice().GetDatasetStatusAsync("alice", "anything", CancellationToken.None)));
        Assert.Contains("expected JSON, got text/html", error.Message);
        Assert.Contains("Kaggle: maintenance", error.Message);
        Assert.Equal(5, h.Server.State.Calls("GetDatasetStatus")); // 1 + MaxRetries 4
    }

    [Fact]
    public async Task A_push_whose_outcome_is_unknown_is_never_repeated_by_the_client()
    {
        await using var h = await Harness.StartAsync();
        h.Server.Faults.Next(FakeFault.ResetAfter, "SaveKernel");
        var error = await Assert.ThrowsAsync<KaggleTransientException>(() => h.Alice().SaveKernelAsync(Push, CancellationToken.None));
        Assert.True(error.OutcomeUnknown);
        Assert.Equal(1, h.Server.State.Calls("SaveKernel"));
        Assert.Equal(1, h.Server.State.VersionCount("alice", "push-once")); // it did happen

        h.Server.Faults.Next(FakeFault.ServerError, "SaveKernel");
        var server = await Assert.ThrowsAsync<KaggleTransientException>(() => h.Alice().SaveKernelAsync(Push, CancellationToken.None));
        Assert.True(server.OutcomeUnknown);
        Assert.Equal(2, h.Server.State.Calls("SaveKernel"));
    }

    [Fact]
    public async Task A_rate_limited_push_is_retried_because_kaggle_did_not_act()
    {
        await using var h = await Harness.StartAsync();
        h.Server.Faults.Next(FakeFault.RateLimitedNoRetryAfter, "SaveKernel");
        var pushed = await h.Drive(h.Alice().SaveKernelAsync(Push, CancellationToken.None), TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, pushed.VersionNumber);
        Assert.Equal(2, h.Server.State.Calls("SaveKernel"));
        Assert.Equal(1, h.Server.State.VersionCount("alice", "push-once"));
    }

    [Fact]
    public async Task A_slow_answer_times_out_and_is_retried()
    {
        await using var h = await Harness.StartAsync();
        // The client's request timeout is RestSharp's, on the real clock: the faulted answer never comes (it would
        // after a minute, and the server drops it when the client gives up), every other one comes in milliseconds,
        // so 2 s decides nothing about a machine's speed; the retry's backoff runs on fake time.
        h.Server.Faults.SlowDelay = TimeSpan.FromMinutes(1);
        h.Server.Faults.Next(FakeFault.Slow, "GetAcceleratorQuotaStatistics");
        var alice = h.Alice(h.ClientOptions with { RequestTimeout = TimeSpan.FromSeconds(2) });
        var quota = await h.Drive(alice.GetAcceleratorQuotaStatisticsAsync(CancellationToken.None), TimeSpan.FromMilliseconds(250));
        Assert.NotNull(quota.GpuQuota);
        Assert.Contains(h.Log.Lines, l => l.Contains("no answer in time"));
    }

    [Fact]
    public async Task Rpc_also_works_under_the_api_prefix()
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice(h.ClientOptions with { BaseUrl = new Uri(h.Server.BaseUrl, "api/") });
        Assert.Equal("alice", await alice.GetUsernameAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("3", 3.0)]
    [InlineData("0", 0.0)]
    [InlineData("100000", 300.0)]
    [InlineData("soon", null)]
    [InlineData("", null)]
    [InlineData("-5", null)]
    [InlineData("Wed, 25 Nov 2026 10:00:30 GMT", 30.0)]
    [InlineData("Wed, 25 Nov 2026 09:00:00 GMT", null)]
    public void Retry_after_is_read_with_suspicion(string header, double? seconds)
    {
        var now = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(seconds, RetryAfter.Parse(header, now, TimeSpan.FromMinutes(5))?.TotalSeconds);
    }

    [Theory]
    [InlineData("{\"status\":\"CANCEL_ACKNOWLEDGED\"}", KernelWorkerStatus.CancelAcknowledged)]
    [InlineData("{\"status\":\"running\"}", KernelWorkerStatus.Running)]
    [InlineData("{\"status\":\"cancelAcknowledged\"}", KernelWorkerStatus.CancelAcknowledged)]
    [InlineData("{\"status\":2}", KernelWorkerStatus.Complete)]
    [InlineData("{}", KernelWorkerStatus.Queued)]
    public void Statuses_parse_in_every_spelling_seen(string json, KernelWorkerStatus expected) =>
        Assert.Equal(expected, System.Text.Json.JsonSerializer.Deserialize<KernelSessionStatus>(json, KaggleJson.Options)!.Status);

    [Fact]
    public void Int64_ids_arrive_as_numbers_or_strings()
    {
        var a = System.Text.Json.JsonSerializer.Deserialize<SaveKernelResponse>("{\"ref\":\"a/b\",\"kernelId\":\"135302787123\"}", KaggleJson.Options)!;
        var b = System.Text.Json.JsonSerializer.Deserialize<SaveKernelResponse>("{\"ref\":\"a/b\",\"kernelId\":135302787123,\"extra\":1}", KaggleJson.Options)!;
        Assert.Equal(135302787123, a.KernelId);
        Assert.Equal(a.KernelId, b.KernelId);
        Assert.Equal("{\"type\":\"DATASET\",\"name\":\"x\",\"contentLength\":1}",
            System.Text.Json.JsonSerializer.Serialize(new StartBlobUploadRequest { Name = "x", ContentLength = 1 }, KaggleJson.Options));
    }
}
