using System.Text.Json.Nodes;
using SteelCI.Kaggle.Backend;
using SteelCI.Kaggle.Fake;
using SteelCI.Kaggle.Probe;
using SteelCI.Local;

namespace SteelCI.Kaggle.Tests;

/// <summary><c>steelci kaggle probe</c>'s work against the fake, which really runs the generated probe with python3.</summary>
public sealed class ProbeTests
{
    [Fact]
    public async Task The_probe_kernel_runs_for_real_and_its_report_becomes_the_table()
    {
        await using var h = await Harness.StartAsync(o => o with { Runner = new LocalKernelRunner(new SystemProcessRunner()) });
        var backend = new KaggleBackend([h.Alice()], new KaggleBackendOptions { Workspace = h.Workspace, DatasetPollInterval = TimeSpan.FromSeconds(5) }, h.Time, h.Log);
        var probe = new KaggleProbe(backend, h.Workspace, h.Time, h.Log);
        var result = await h.Drive(probe.RunAsync(new ProbeOptions { Account = "alice", PollInterval = TimeSpan.FromSeconds(2) }, CancellationToken.None),
            TimeSpan.FromMilliseconds(200), realPace: TimeSpan.FromMilliseconds(20));

        Assert.Equal("alice", result.Account);
        Assert.StartsWith("steelci-probe-", result.Slug);
        Assert.True(File.Exists(Path.Combine(result.OutputDirectory, ProbeScript.ResultFile)));
        Assert.Contains(ProbeScript.LogMarker, result.Log);
        // the kernel folder as `kaggle kernels push -p` would take it, with a GPU and the probe input attached
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(h.Workspace, "kaggle", "kernels", "alice", result.Slug, "kernel-metadata.json")))!;
        Assert.Equal("true", metadata["enable_gpu"]?.ToString());
        Assert.Single(metadata["dataset_sources"]!.AsArray());

        var rows = result.Report.Rows().ToDictionary(r => r.Item);
        Assert.Equal(
            ["os", "image build", "on Kaggle", "cpus / memory", "libstdc++", "GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "python", "torch",
             "torch = libtorch 2.10.0", "CUDA (torch)", "nvidia-smi -L", "pinned runtime", "device rung (gpu stage)",
             rows.Keys.Single(k => k.StartsWith("TorchSharp shim loads (rung ", StringComparison.Ordinal)), "input layout", "input tree", "input writable", "execute bits",
             "free disk /kaggle/working", "free disk /kaggle/temp"],
            result.Report.Rows().Select(r => r.Item));
        Assert.Equal("no", rows["on Kaggle"].Value); // the fake sets STEELCI_INPUT_ROOT
        Assert.Matches(@"^\d+\.\d+\.\d+ \(", rows["python"].Value);
        Assert.Matches(@"^(yes|no)$", rows["GLIBCXX_3.4.30"].Value);
        Assert.Contains("GLIBCXX up to 3.4.", rows["libstdc++"].Value);
        Assert.StartsWith("flat: ", rows["input layout"].Value); // the fake mounts /kaggle/input/{slug}
        Assert.Equal(ProbeVerdict.Ok, rows["input layout"].Verdict);
        Assert.Contains("steelci-probe-input-", rows["input layout"].Value);
        Assert.Matches(@"^(kept|lost) \(0o[0-7]+\), (runs|does not run)$", rows["execute bits"].Value);
        Assert.Matches(@"^\d+\.\d GiB free of \d+\.\d GiB \(", rows["free disk /kaggle/working"].Value);
        Assert.Matches(@"^\d+\.\d GiB free of \d+\.\d GiB \(", rows["free disk /kaggle/temp"].Value);
        Assert.DoesNotContain(result.Report.Rows(), r => r.Value.Contains("not reported") || (r.Item != "torch" && r.Value.StartsWith("error:")));
        // torch and nvidia-smi: whatever this machine has, the probe says so rather than failing
        Assert.NotEqual("", rows["torch"].Value);
        Assert.NotEqual("", rows["nvidia-smi -L"].Value);
        Assert.DoesNotContain(Harness.AliceToken, File.ReadAllText(Path.Combine(h.Workspace, "kaggle", "kernels", "alice", result.Slug, ProbeScript.CodeFile)));
    }

    [Fact]
    public void A_report_from_kaggle_reads_as_expected()
    {
        const string json = """
            {"probe_version":1,
             "os":{"pretty_name":"Ubuntu 22.04.4 LTS","kernel":"6.6.56+","machine":"x86_64","glibc":"glibc-2.35","cpus":4,"memory_bytes":33672450048,
                   "build_stamp":{"git_commit":"abc123","build_date":"20260101-000000"},"on_kaggle":true},
             "libstdcxx":{"path":"/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30","max":"3.4.30","has_3_4_30":true,"has_3_4_32":false},
             "python":{"version":"3.11.13","executable":"/usr/bin/python3"},
             "torch":{"version":"2.10.0+cu128","cuda":"12.8","cudnn":91002,"cuda_available":true,"gpus":2,"names":["Tesla T4","Tesla T4"]},
             "nvidia_smi":{"present":true,"exit":0,"gpus":["GPU 0: Tesla T4 (UUID: GPU-1)","GPU 1: Tesla T4 (UUID: GPU-2)"],"error":null},
             "input":{"root":"/kaggle/input","root_exists":true,"tree":["./ (0 files)","datasets/ (0 files)"],"layout":"nested",
                      "probe_input":"datasets/alice/steelci-probe-input-0123456789abcdef","writable":false,"exec_mode":"0o444","exec_bits_kept":false,"exec_runs":false,
                      "exec_error":"PermissionError: [Errno 13] Permission denied"},
             "disk":{"working":{"path":"/kaggle/working","exists":true,"free_bytes":20401094656,"total_bytes":20401094656,"writable":true},
                     "temp":{"error":"OSError: boom"}}}
            """;
        var rows = ProbeReport.Parse(json).Rows().ToDictionary(r => r.Item);
        Assert.Equal("git_commit abc123 · build_date 20260101-000000", rows["image build"].Value);
        Assert.Equal(("no", ProbeVerdict.Note), (rows["GLIBCXX_3.4.32"].Value, rows["GLIBCXX_3.4.32"].Verdict));
        Assert.Equal(("yes", ProbeVerdict.Ok), (rows["torch = libtorch 2.10.0"].Value, rows["torch = libtorch 2.10.0"].Verdict));
        Assert.Equal("cuda 12.8 · cudnn 91002 · 2 GPU(s): Tesla T4, Tesla T4", rows["CUDA (torch)"].Value);
        Assert.Equal("GPU 0: Tesla T4 (UUID: GPU-1); GPU 1: Tesla T4 (UUID: GPU-2)", rows["nvidia-smi -L"].Value);
        Assert.Equal("nested: /kaggle/input/datasets/alice/steelci-probe-input-0123456789abcdef", rows["input layout"].Value);
        Assert.Equal(("lost (0o444), does not run", ProbeVerdict.Note), (rows["execute bits"].Value, rows["execute bits"].Verdict));
        Assert.Equal("19.0 GiB free of 19.0 GiB (/kaggle/working)", rows["free disk /kaggle/working"].Value);
        Assert.Equal("error: OSError: boom", rows["free disk /kaggle/temp"].Value);

        Assert.Equal(("a: the image's torch 2.10.0+cu128", ProbeVerdict.Ok), (rows["device rung (gpu stage)"].Value, rows["device rung (gpu stage)"].Verdict));
        Assert.Equal("not attached", rows["pinned runtime"].Value);
        Assert.Equal("not reported", rows["TorchSharp shim loads (rung a)"].Value); // an older probe without the check

        var cpuOnly = ProbeReport.Parse("""{"torch":{"error":"ModuleNotFoundError: No module named 'torch'"}}""").Rows().ToDictionary(r => r.Item);
        Assert.Equal(("no", ProbeVerdict.Note), (cpuOnly["torch = libtorch 2.10.0"].Value, cpuOnly["torch = libtorch 2.10.0"].Verdict));
        Assert.Equal(ProbeVerdict.Problem, cpuOnly["device rung (gpu stage)"].Verdict);
        Assert.StartsWith("d: fails (image torch missing, runtime not attached, 0 GPU(s); TorchSharp binds libtorch 2.10.0)", cpuOnly["device rung (gpu stage)"].Value);

        // The image drifted to 2.11, the pinned runtime holds 2.10 and the shim loaded against it: rung b.
        var drifted = ProbeReport.Parse("""
            {"torch":{"version":"2.11.0+cu128","cuda":"12.8","gpus":2,"names":["Tesla T4","Tesla T4"],"lib":"/usr/local/lib/python3.12/dist-packages/torch/lib"},
             "nvidia_smi":{"present":true,"exit":0,"gpus":["GPU 0: Tesla T4","GPU 1: Tesla T4"]},
             "runtime":{"attached":true,"path":"/kaggle/input/steelci-libtorch-2-10-0-cu128-0123456789ab","libtorch":"2.10.0","cuda":"12.8","lib":"/kaggle/input/steelci-libtorch-2-10-0-cu128-0123456789ab/lib","libraries":41},
             "shim":{"shim":"/kaggle/input/steelci-trainer-probe-0123/libLibTorchSharp.so","checks":{"b":{"ok":true,"loaded":["libtorch.so","libLibTorchSharp.so"],"lib":"/kaggle/input/steelci-libtorch-2-10-0-cu128-0123456789ab/lib"}}}}
            """).Rows().ToDictionary(r => r.Item);
        Assert.Equal(("b: the pinned CUDA runtime, libtorch 2.10.0", ProbeVerdict.Ok), (drifted["device rung (gpu stage)"].Value, drifted["device rung (gpu stage)"].Verdict));
        Assert.Equal("libtorch 2.10.0 · CUDA 12.8 · 41 libraries", drifted["pinned runtime"].Value);
        Assert.Equal(("yes: libLibTorchSharp.so with /kaggle/input/steelci-libtorch-2-10-0-cu128-0123456789ab/lib", ProbeVerdict.Ok),
            (drifted["TorchSharp shim loads (rung b)"].Value, drifted["TorchSharp shim loads (rung b)"].Verdict));
        Assert.Equal("not reported", cpuOnly["os"].Value);
        Assert.False(ProbeReport.Matches("2.9.1+cu126", "2.10.0"));
        Assert.NotNull(ProbeReport.Find(null, "noise\n" + ProbeScript.LogMarker + """{"os":{}}""" + "\n"));
        Assert.Null(ProbeReport.Find(null, "no report here"));
    }
}
