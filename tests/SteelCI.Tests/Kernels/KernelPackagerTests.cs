using System.Diagnostics;
using SteelCI.Contracts;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Testing;

namespace SteelCI.Tests.Kernels;

public sealed class KernelPackagerTests
{
    private static readonly StageConfig Config = new()
    {
        Pipeline = "severstal",
        Stage = "seg3",
        Entry = "segment",
        ContentKey = new string('5', 64),
        Epochs = 4,
        Params = new Dictionary<string, string> { ["class"] = "3", ["note"] = "quote \" and backslash \\ survive" },
        Inputs = [new StageInput("severstal", "severstal", "severstal-severstal-111111111111", new string('1', 64))],
        TrainerHash = new string('9', 64),
        SteelciVersion = "0.1.0",
    };

    private static KernelPackage Package(TempDirectory dir, string accelerator = "gpu") =>
        new KernelPackager(new TrainerPublisher(new SystemProcessRunner(), dir.Path), dir.Path)
            .Package("severstal-seg3-55555555-a1-abcde", Config, new TrainerBundle(dir.Combine("bundle"), new string('9', 64)),
                [new KernelSource("severstal", dir.Combine("data"), new string('1', 64))], accelerator, TimeSpan.FromHours(12));

    [Fact]
    public async Task A_bundle_fetched_from_the_store_is_kept_as_if_published_here_with_its_execute_bits_set_again()
    {
        using var dir = new TempDirectory("adopt");
        // As the store hands it back: files without modes (a zip keeps none), steelci-bundle.json listing the executables.
        var fetched = dir.Combine("cache", "steelci-trainer-bundle-x", "bundle");
        dir.Write("cache/steelci-trainer-bundle-x/bundle/Severstal.Trainer", "apphost");
        dir.Write("cache/steelci-trainer-bundle-x/bundle/Severstal.Trainer.dll", "il");
        var hash = SteelCI.Running.StoredTrainerBundles.HashOf(fetched);
        dir.Write("cache/steelci-trainer-bundle-x/bundle/" + BundleInfo.FileName, System.Text.Json.JsonSerializer.Serialize(new BundleInfo
        {
            Runtime = TrainerPublisher.SelfContained, Entry = "Severstal.Trainer.dll", Apphost = "Severstal.Trainer", Hash = hash,
            Executables = ["Severstal.Trainer"],
        }));
        var packager = new KernelPackager(new TrainerPublisher(new SystemProcessRunner(), dir.Path), dir.Path);
        Assert.Null(await packager.FindTrainerAsync(hash, default));

        var adopted = await packager.AdoptTrainerAsync(fetched, hash, default);

        Assert.Equal(dir.Combine("trainer", "bundles", hash[..12]), adopted.Directory);
        Assert.Equal(adopted, await packager.FindTrainerAsync(hash, default));
        Assert.Equal(hash, SteelCI.Running.StoredTrainerBundles.HashOf(adopted.Directory));
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(Path.Combine(adopted.Directory, "Severstal.Trainer")) & UnixFileMode.UserExecute) != 0);
            Assert.True((File.GetUnixFileMode(Path.Combine(adopted.Directory, "Severstal.Trainer.dll")) & UnixFileMode.UserExecute) == 0);
        }
    }

    [Fact]
    public void Kernel_metadata_is_in_the_official_cli_format()
    {
        using var dir = new TempDirectory("kernel");

        var package = Package(dir);
        var slugs = new Dictionary<string, string>
        {
            ["steelci-trainer-999999999999"] = "steelci-trainer-999999999999-9999999999999999",
            ["severstal"] = "steelci-severstal-1111111111111111",
        };

        var metadata = KernelMetadata.For(KernelSpec.Read(package.Directory).ForAccount("alice", slugs), "NvidiaTeslaT4").ToJson();

        var expected = """
            {
              "id": "alice/severstal-seg3-55555555-a1-abcde",
              "title": "severstal-seg3-55555555-a1-abcde",
              "code_file": "steelci_launcher.py",
              "language": "python",
              "kernel_type": "script",
              "is_private": "true",
              "enable_gpu": "true",
              "enable_tpu": "false",
              "enable_internet": "false",
              "machine_shape": "NvidiaTeslaT4",
              "dataset_sources": [
                "alice/steelci-trainer-999999999999-9999999999999999",
                "alice/steelci-severstal-1111111111111111"
              ],
              "competition_sources": [],
              "kernel_sources": [],
              "model_sources": [],
              "keywords": []
            }
            """;
        Assert.Equal(expected, metadata);
        Assert.Equal("steelci-trainer-999999999999", package.Sources[0].Mount);
        Assert.False(File.Exists(Path.Combine(package.Directory, KernelMetadata.FileName)), "no metadata with a made-up owner");
    }

    [Fact]
    public void The_launcher_reads_the_kernel_spec_the_packager_wrote_and_an_account_changes_only_owner_and_slugs()
    {
        using var dir = new TempDirectory("kernel");
        var package = Package(dir);
        var spec = KernelSpec.Read(package.Directory);
        var placed = spec.ForAccount("alice", new Dictionary<string, string> { ["steelci-trainer-999999999999"] = "ds-bundle", ["severstal"] = "ds-data" });

        Assert.Equal(spec with { Owner = "alice", Mounts = placed.Mounts }, placed);
        Assert.Equal(["ds-bundle", "ds-data"], placed.Mounts.Select(m => m.AttachedAs));
        Assert.Equal(spec.Mounts.Select(m => m.Name), placed.Mounts.Select(m => m.Name));
        var launcher = dir.Write("placed.py", LauncherScript.Render(placed));
        var check = Python($"import runpy; g = runpy.run_path('{launcher}', run_name='check'); print(g['MOUNT_ALIASES'], g['KERNEL']['owner'])");
        Assert.Equal(0, check.ExitCode);
        Assert.Contains("{'steelci-trainer-999999999999': 'ds-bundle', 'severstal': 'ds-data'} alice", check.Output);
        var missing = Assert.Throws<ArgumentException>(() => spec.ForAccount("alice", new Dictionary<string, string> { ["severstal"] = "ds-data" }));
        Assert.Contains("no dataset slug for mount(s) steelci-trainer-999999999999", missing.Message);
    }

    [Fact]
    public void The_launcher_is_valid_python_that_carries_the_stage_exactly_and_no_secret()
    {
        using var dir = new TempDirectory("kernel");
        Environment.SetEnvironmentVariable("KAGGLE_API_TOKEN", "KGAT_secret_value_for_test");
        KernelPackage package;
        try
        {
            package = Package(dir, "cpu");
        }
        finally
        {
            Environment.SetEnvironmentVariable("KAGGLE_API_TOKEN", null);
        }
        var launcher = Path.Combine(package.Directory, LauncherScript.FileName);

        var script = File.ReadAllText(launcher);
        Assert.DoesNotContain("KGAT_secret_value_for_test", script);
        Assert.Contains("def weaken(path", script); // the glibcxx fix travels inside the launcher
        var check = Python($"import runpy, json; g = runpy.run_path('{launcher}', run_name='check'); print(json.dumps(g['STAGE']['params'])); print(g['SESSION_SECONDS'], g['BUNDLE_MOUNT'])");
        Assert.Equal(0, check.ExitCode);
        Assert.Contains("\"note\": \"quote \\\" and backslash \\\\ survive\"", check.Output);
        Assert.Contains("43200.0 steelci-trainer-999999999999", check.Output);
    }

    internal static (int ExitCode, string Output) Python(string code)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(code);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Fact]
    public async Task A_kept_bundle_is_found_only_by_its_full_hash()
    {
        using var dir = new TempDirectory("kept");
        var hash = new string('9', 60) + "abcd";
        dir.Write($"trainer/bundles/{hash[..12]}/steelci-bundle.json",
            $$"""{ "format": "steelci.bundle/1", "runtime": "self-contained", "entry": "T.dll", "apphost": "T", "hash": "{{hash}}" }""");
        var packager = new KernelPackager(new TrainerPublisher(new SystemProcessRunner(), dir.Path), dir.Path);

        var kept = await packager.FindTrainerAsync(hash, default);

        Assert.Equal(new TrainerBundle(dir.Combine("trainer", "bundles", hash[..12]), hash), kept);
        Assert.Null(await packager.FindTrainerAsync(new string('9', 60) + "abce", default)); // same folder name, another bundle
        Assert.Null(await packager.FindTrainerAsync(new string('8', 64), default));
    }
}
