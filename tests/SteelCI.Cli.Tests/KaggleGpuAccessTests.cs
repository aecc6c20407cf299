using SteelCI.Kaggle.Fake;
using SteelCI.Ports;
using SteelCI.State;
using static SteelCI.Cli.Tests.Harness;

namespace SteelCI.Cli.Tests;

/// <summary>
/// kaggle-api.md §8 "quota": <c>gpuQuota</c> may be absent for accounts without GPU access (kaggle-cli quota_view,
/// tests/unit/test_quota.py). status and doctor say so, never "0 h left" or "? h".
/// </summary>
public sealed class KaggleGpuAccessTests : IDisposable
{
    private readonly Harness _h = new();

    public void Dispose() => _h.Dispose();

    private static async Task<(FakeKaggleServer Fake, KaggleRunOptions.Values Kaggle)> FakeWithAccountsAsync(string prefix)
    {
        var fake = await FakeKaggleServer.StartAsync(new FakeKaggleOptions { GpuQuota = TimeSpan.FromHours(30), Time = TimeProvider.System }, default);
        fake.State.AddUser($"{prefix}-gpu", $"KGAT_{prefix}_gpu_0123456789");
        fake.State.AddUser($"{prefix}-nogpu", $"KGAT_{prefix}_nogpu_0123456789");
        fake.State.RemoveGpuAccess($"{prefix}-nogpu");
        Environment.SetEnvironmentVariable($"KAGGLE_API_TOKEN_{prefix.ToUpperInvariant()}GPU", $"KGAT_{prefix}_gpu_0123456789");
        Environment.SetEnvironmentVariable($"KAGGLE_API_TOKEN_{prefix.ToUpperInvariant()}NOGPU", $"KGAT_{prefix}_nogpu_0123456789");
        return (fake, new KaggleRunOptions.Values("kaggle", [$"{prefix}gpu", $"{prefix}nogpu"], fake.BaseUrl.ToString(), null));
    }

    [Fact]
    public async Task Status_says_no_gpu_access_for_an_account_whose_quota_has_no_gpu_part()
    {
        var (fake, kaggle) = await FakeWithAccountsAsync("stat");
        await using var _ = fake;
        await _h.SaveAsync(NewState(("seg1", StageStatus.Running, [Attempt("seg1", 1, AttemptState.Running, "kaggle", "statgpu")])));

        var code = await StatusCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, null, false, kaggle, _h.Services(TimeProvider.System), default);

        Assert.Equal(0, code);
        Assert.Contains("statgpu: 30 h GPU left of 30 h", _h.Output);
        Assert.Contains("statnogpu: no GPU access on this account", _h.Output);
        Assert.Contains("Phone verification", _h.Output);
        Assert.DoesNotContain("statnogpu: ? h", _h.Output);
        Assert.DoesNotContain("statnogpu: 0 h", _h.Output);
    }

    [Fact]
    public async Task Doctor_fails_an_account_without_gpu_access_by_name_and_says_how_to_get_it()
    {
        var (fake, kaggle) = await FakeWithAccountsAsync("doc");
        await using var _ = fake;

        var code = await DoctorCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, null, kaggle, _h.Services(TimeProvider.System), default);

        var lines = _h.Output.Split('\n');
        Assert.Contains(lines, l => l.Contains("account docnogpu GPU") && l.Contains("no GPU access on this account") && l.Contains("Phone verification"));
        Assert.Contains(lines, l => l.Contains("account docgpu quota") && l.Contains("30 h GPU left of 30 h"));
        Assert.Equal(ExitCodes.InvalidInput, code);
    }
}
