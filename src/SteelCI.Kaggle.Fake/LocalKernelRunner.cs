using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Fake;

/// <summary>
/// Really runs a pushed kernel with python3, through the local backend's machinery: the source as the kernel's code
/// file, each attached dataset linked read-only under the input root (the <c>/kaggle/input/{slug}</c> layout), and
/// STEELCI_INPUT_ROOT / STEELCI_WORKING_DIR / STEELCI_SCRATCH_DIR pointing the launcher at them.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalKernelRunner(IProcessRunner processes, string python = "python3", int threads = 1) : IFakeKernelRunner
{
    public IFakeRun Start(FakeRunRequest request)
    {
        var source = Directory.CreateDirectory(Path.Combine(request.WorkDirectory, "source")).FullName;
        File.WriteAllText(Path.Combine(source, "script.py"), request.Source);
        var backend = new LocalBackend(processes, request.WorkDirectory, 1, threads, python);
        var package = new KernelPackage("run", source, "script.py",
            request.Datasets.Select(d => new KernelSource(d.Mount, d.Directory, "")).ToList(),
            request.Gpu ? "gpu" : "cpu", request.SessionTimeout);
        var handle = backend.SubmitAsync(package, CancellationToken.None).GetAwaiter().GetResult();
        return new Run(backend, handle);
    }

    private sealed class Run(LocalBackend backend, AttemptHandle handle) : IFakeRun
    {
        private bool _killed;

        public string OutputDirectory => Path.Combine(handle.Data["directory"], "working");

        public FakeRunState Poll(out string? failureMessage)
        {
            var status = backend.PollAsync(handle, CancellationToken.None).GetAwaiter().GetResult();
            failureMessage = _killed ? "killed" : status.Detail;
            return status.State switch
            {
                AttemptState.Complete => FakeRunState.Complete,
                AttemptState.Running or AttemptState.Queued => FakeRunState.Running,
                _ => FakeRunState.Error,
            };
        }

        public IReadOnlyList<FakeLogEntry> Log()
        {
            var text = backend.CollectAsync(handle, CancellationToken.None).GetAwaiter().GetResult().Log;
            return text.Split('\n').SkipLast(text.EndsWith('\n') ? 1 : 0)
                .Select((line, i) => new FakeLogEntry("stdout", i * 0.001, line + "\n")).ToList();
        }

        public void Kill()
        {
            _killed = true;
            backend.StopAsync(handle, CancellationToken.None).GetAwaiter().GetResult();
        }
    }
}
