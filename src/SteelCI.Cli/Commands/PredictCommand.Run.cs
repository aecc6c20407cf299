using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using SteelCI.Contracts;
using SteelCI.GitHub;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.Cli;

/// <summary><c>steelci predict</c>'s work: fetch the models, build the trainer, run its predict entry, verify the output.</summary>
public static partial class PredictCommand
{
    private static async Task<int> RunAsync(string specPath, string? workspaceRoot, string which, string imagesDir, string outputDir,
        string? storeName, int? threads, CliServices services, CancellationToken cancellationToken)
    {
        var console = services.Console;
        if (!console.Profile.Capabilities.Interactive)
            console.Profile.Width = Math.Max(console.Profile.Width, 240); // paths must not wrap in logs
        var pipeline = PipelineLoading.Load(specPath, null, []);
        var spec = SteelCI.Spec.SpecLoader.Load(specPath);
        var images = Path.GetFullPath(imagesDir);
        var output = Path.GetFullPath(outputDir);
        if (!Directory.Exists(images))
            return Fail(console, $"--images {imagesDir}: no such folder");
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            return Fail(console, $"--output {outputDir} exists and is not empty; choose a new folder");
        if (threads is < 1)
            return Fail(console, "--threads must be at least 1");

        var workspace = Workspace.For(specPath, workspaceRoot);
        var time = services.Time;
        using var wiring = services.Store(storeName ?? pipeline.Store, workspace);
        var target = await ReleaseChoice.ResolveAsync(spec, wiring.Store, which, "--release", includePartial: false, cancellationToken);
        workspace.Claim();
        var manifest = target.Manifest;

        // Which model releases to fetch, under which input names, and with which params.
        var parameters = new Dictionary<string, string>();
        List<(string Name, string Tag)> models;
        if (manifest.Entry == "segment")
        {
            models = [(manifest.Stage, target.Tag)];
            parameters["segmenter"] = manifest.Stage;
        }
        else
        {
            models = manifest.Lineage.Inputs.Where(i => spec.Stages.ContainsKey(i.Name)).Select(i => (i.Name, i.Source)).ToList();
            if (models.Count == 0)
                return Fail(console, $"{target.Tag} (entry {manifest.Entry}) has no stage releases in its lineage; predict takes a release that " +
                    "combines trained stages (e.g. submission) or a segment stage (e.g. seg3)");
            if (spec.Stages.TryGetValue(manifest.Stage, out var stageSpec))
                foreach (var (key, value) in stageSpec.Params)
                    parameters[key] = value;
            // What the combining stage chose on its validation split (e.g. Severstal's gate_class1..4) reaches predict too.
            foreach (var (key, value) in manifest.Thresholds)
                parameters[key] = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }
        var inputs = new List<(string Name, string Tag, string Directory, string ContentKey)>();
        foreach (var (name, tag) in models)
        {
            var stored = await wiring.Store.FindAsync(tag, cancellationToken);
            if (stored is null)
                return Fail(console, $"{target.Tag} needs release {tag} (input {name}), which is not in {wiring.Store.Location}", ExitCodes.StageFailed);
            inputs.Add((name, tag, await wiring.Store.FetchAsync(stored, cancellationToken), stored.Manifest.ContentKey));
            console.WriteLine($"model {name}: {tag}");
        }

        var processes = services.Processes;
        console.WriteLine($"building the trainer {Path.GetFileName(pipeline.TrainerProject)}");
        var (bundle, bundleHash) = await new TrainerPublisher(processes, workspace.Root).PublishAsync(pipeline.TrainerProject, cancellationToken);
        if (bundleHash != manifest.Lineage.TrainerHash)
            console.WriteLine($"note: the trainer changed since {target.Tag} was trained; its models are read through their model.json");
        var info = JsonSerializer.Deserialize<BundleInfo>(await File.ReadAllTextAsync(Path.Combine(bundle, BundleInfo.FileName), cancellationToken))!;

        var work = Path.Combine(workspace.Root, "predict", $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(work);
        var config = new StageConfig
        {
            Pipeline = pipeline.Name, Stage = "predict", Entry = "predict", ContentKey = manifest.ContentKey, Epochs = 1, Params = parameters,
            Inputs = [.. inputs.Select(i => new StageInput(i.Name, i.Name, i.Tag, i.ContentKey)), new StageInput("images", "images", images, "folder")],
            TrainerHash = bundleHash, SteelciVersion = RunCommand.Version(),
        };
        var configPath = Path.Combine(work, "stage.json");
        await File.WriteAllTextAsync(configPath, Json.Serialize(config), cancellationToken);
        List<string> arguments = [Path.Combine(bundle, info.Entry), .. TrainerContract.Arguments(configPath,
            [.. inputs.Select(i => (i.Name, i.Directory)), ("images", images)], output, threads ?? Environment.ProcessorCount, TimeSpan.FromDays(1))];

        console.WriteLine($"predicting {images} with {target.Tag}");
        var run = await processes.RunAsync(new ProcessSpec("dotnet", arguments, work), cancellationToken);
        var logPath = Path.Combine(work, "log.txt");
        await File.WriteAllTextAsync(logPath, run.Output, cancellationToken);
        if (run.ExitCode != TrainerContract.ExitComplete)
        {
            var tail = string.Join('\n', run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(12));
            console.WriteLine(tail);
            return Fail(console, $"the trainer's predict entry {TrainerContract.DescribeExit(run.ExitCode)} (exit {run.ExitCode}); log: {logPath}",
                run.ExitCode == TrainerContract.ExitBadInput ? ExitCodes.InvalidInput : ExitCodes.StageFailed);
        }
        var written = ManifestVerifier.Verify(output);
        var metrics = string.Join(", ", written.Metrics.Select(m => $"{m.Key}={m.Value:0.####}"));
        var overlays = written.Files.Count(f => f.Path.StartsWith("overlays/", StringComparison.Ordinal));
        console.MarkupLine($"[green]predicted[/] {Markup.Escape(output)}: submission.csv, {overlays} overlay(s) in overlays/; {Markup.Escape(metrics)}");
        return ExitCodes.Success;
    }

    private static int Fail(IAnsiConsole console, string message, int code = ExitCodes.InvalidInput)
    {
        console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        return code;
    }
}
