using System.CommandLine;
using Spectre.Console;
using SteelCI.GitHub;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci download</c>: a stage's newest finished checkpoint (or a named release) into a folder, every hash
/// verified, parts joined, interrupted downloads resumed. For people who only want the trained model.
/// </summary>
public static class DownloadCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var stage = new Option<string?>("--stage") { Description = "A stage name (its newest complete release), e.g. submission or seg3" };
        var release = new Option<string?>("--release") { Description = "A full release tag instead of a stage, e.g. severstal-seg3-7921f4505905" };
        var output = new Option<string>("--output", "-o") { Description = "Folder to create with the checkpoint's files", Required = true };
        var store = new Option<string?>("--store") { Description = "local or github (default: the pipeline file's store)" };
        var partial = new Option<bool>("--partial") { Description = "Also accept a partial checkpoint of an unfinished stage" };
        var command = new Command("download", "Download a stage's trained checkpoint and verify it") { pipeline, workspace, stage, release, output, store, partial };
        command.SetAction(async (result, cancellationToken) =>
        {
            var which = result.GetValue(release) ?? result.GetValue(stage)
                ?? throw new UsageException("download: give --stage NAME or --release TAG");
            var specPath = result.GetValue(pipeline)!;
            if (File.Exists(result.GetValue(output)))
                throw new UsageException($"--output {result.GetValue(output)} is a file; give a new folder for the checkpoint");
            var spec = SteelCI.Spec.SpecLoader.Load(specPath);
            var console = services.Console;
            using var wiring = services.Store(result.GetValue(store) ?? spec.Store, Workspace.For(specPath, result.GetValue(workspace)));
            var chosen = await ReleaseChoice.ResolveAsync(spec, wiring.Store, which, result.GetValue(release) is null ? "--stage" : "--release",
                result.GetValue(partial), cancellationToken);
            var downloaded = await new CheckpointDownloader(wiring.Store, line => console.WriteLine(line))
                .DownloadAsync(spec.Name, chosen.Tag, result.GetValue(output)!, result.GetValue(partial), cancellationToken);
            var metrics = string.Join(", ", downloaded.Manifest.Metrics.Select(m => $"{m.Key}={m.Value:0.####}"));
            console.MarkupLine($"[green]{Markup.Escape(downloaded.Tag)}[/] in {Markup.Escape(downloaded.Directory)}: " +
                $"{downloaded.Manifest.Files.Count} files verified; {Markup.Escape(metrics)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
