using SteelCI.Contracts;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Testing;

namespace SteelCI.Tests.Local;

/// <summary>
/// The local backend with real processes: the generated launcher (python3) starts a stand-in trainer (a shell script
/// declared self-contained in its bundle) inside the Kaggle-like layout.
/// </summary>
public sealed class LocalBackendTests : IDisposable
{
    private readonly TempDirectory _dir = new("backend");
    private readonly SystemProcessRunner _processes = new();

    public void Dispose() => _dir.Dispose();

    private KernelPackage Package(string trainerScript)
    {
        var bundle = _dir.Combine("bundle");
        Directory.CreateDirectory(bundle);
        File.WriteAllText(Path.Combine(bundle, BundleInfo.FileName),
            """{"format":"steelci.bundle/1","runtime":"self-contained","entry":"t.dll","apphost":"trainer","hash":"cafe00000000cafe"}""");
        File.WriteAllText(Path.Combine(bundle, "trainer"), "#!/bin/sh\n" + trainerScript);
        File.SetUnixFileMode(Path.Combine(bundle, "trainer"), (UnixFileMode)0b111_101_101);
        _dir.Write("data/train.csv", "ImageId,ClassId,EncodedPixels\n");
        var config = new StageConfig
        {
            Pipeline = "pipe", Stage = "fit", Entry = "fit", ContentKey = new string('c', 64), Epochs = 1,
            Params = new Dictionary<string, string>(), Inputs = [new StageInput("data", "data", "folder", "k")],
            TrainerHash = "cafe00000000cafe", SteelciVersion = "0.1.0",
        };
        return new KernelPackager(new TrainerPublisher(_processes, _dir.Path), _dir.Path).Package(
            "pipe-fit-cccccccc-a1-00000", config, new TrainerBundle(bundle, "cafe00000000cafe"),
            [new KernelSource("data", _dir.Combine("data"), "k")], "cpu", TimeSpan.FromMinutes(10));
    }

    private async Task<AttemptStatus> WaitAsync(LocalBackend backend, AttemptHandle handle)
    {
        AttemptStatus status = null!;
        await Eventually.Until(async () => (status = await backend.PollAsync(handle, default)).IsFinished);
        return status;
    }

    [Fact]
    public async Task An_attempt_runs_in_the_kaggle_layout_with_the_contract_arguments()
    {
        var backend = new LocalBackend(_processes, _dir.Path, slots: 2, threadsPerAttempt: 3);
        var handle = await backend.SubmitAsync(Package("echo \"args: $*\"; ls \"$STEELCI_INPUT_ROOT\"; echo weights > \"$4/model.bin\"; exit 0"), default);

        var status = await WaitAsync(backend, handle);
        var output = await backend.CollectAsync(handle, default);

        Assert.Equal(AttemptState.Complete, status.State);
        Assert.Contains("--output " + output.Directory, output.Log);
        Assert.Contains("--threads 3", output.Log);
        Assert.Matches("--time-limit-seconds (5[0-9][0-9]|600)", output.Log); // 10 minutes less the launcher's margin
        Assert.Contains($"--input data={_dir.Combine("attempts", "pipe-fit-cccccccc-a1-00000", "input", "data")}", output.Log);
        Assert.Contains("steelci-trainer-cafe00000000", output.Log);
        Assert.Equal("weights\n", File.ReadAllText(Path.Combine(output.Directory, "model.bin")));
        await Assert.ThrowsAsync<InvalidOperationException>(() => backend.SubmitAsync(Package("exit 0"), default)); // slugs are never reused
    }

    [Fact]
    public async Task A_failing_trainer_is_an_error_with_its_exit_code()
    {
        var backend = new LocalBackend(_processes, _dir.Path, 1, 1);
        var handle = await backend.SubmitAsync(Package($"echo boom; echo '{TrainerContract.EndMarker("failed", null)}'; exit 2"), default);

        var status = await WaitAsync(backend, handle);

        Assert.Equal(AttemptState.Error, status.State);
        Assert.Contains("exit code 2 (bad input or configuration)", status.Detail);
        Assert.Contains("boom", (await backend.CollectAsync(handle, default)).Log);
    }

    [Fact]
    public async Task A_killed_attempt_is_lost_and_a_running_one_is_found_again_by_a_new_backend()
    {
        var handle = await new LocalBackend(_processes, _dir.Path, 1, 1).SubmitAsync(Package("sleep 30"), default);
        var successor = new LocalBackend(_processes, _dir.Path, 1, 1); // as after a restart of steelci

        Assert.Equal(AttemptState.Running, (await successor.PollAsync(handle, default)).State);
        await successor.StopAsync(handle, default);

        Assert.Equal(AttemptState.Lost, (await WaitAsync(successor, handle)).State);
    }

    [Theory]
    [InlineData(2, null, 2, 1)]
    [InlineData(8, null, 8, 1)]
    [InlineData(8, 2, 2, 4)]
    [InlineData(1, 3, 3, 1)]
    public void Slots_follow_the_cores_and_threads_share_them(int cores, int? slots, int expectedSlots, int expectedThreads) =>
        Assert.Equal((expectedSlots, expectedThreads), LocalBackend.SizeFor(cores, slots));
}
