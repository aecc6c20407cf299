using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using SteelCI.Contracts;
using SteelCI.GitHub;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci predict</c>: the trained pipeline on new images. It resolves a release (a tag, or a stage's newest
/// complete release) in the pipeline's store, fetches the model releases it needs (verified), builds the trainer
/// bundle as <c>steelci run</c> does, and runs it here as one process under the trainer contract with entry
/// <c>predict</c>: inputs = the model releases plus <c>images</c>, output = <c>--output</c>. What to predict with:
/// <list type="bullet">
/// <item>a release whose lineage names stage releases (Severstal's <c>submission</c>): those releases, combined by
/// the trainer as that stage combined them (the stage's params from the pipeline file travel along);</item>
/// <item>a <c>segment</c> release: that one model, param <c>segmenter</c> = its stage.</item>
/// </list>
/// The trainer writes <c>submission.csv</c>, <c>overlays/*.png</c> and a manifest into the output folder.
/// </summary>
public static partial class PredictCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var release = new Option<string>("--release") { Description = "A release tag or a stage name (its newest complete release), e.g. submission or seg3", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of images to predict (.jpg, .jpeg, .png)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Folder to create for submission.csv and overlays/ (absent or empty)", Required = true };
        var store = new Option<string?>("--store") { Description = "local or github (default: the pipeline file's store)" };
        var threads = new Option<int?>("--threads") { Description = "Torch threads for the trainer (default: one per core)" }.Positive();
        var command = new Command("predict", "Run the trained pipeline on new images: submission.csv plus PNG overlays of the predicted masks")
        {
            pipeline, workspace, release, images, output, store, threads,
        };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(pipeline)!, result.GetValue(workspace), result.GetValue(release)!,
            result.GetValue(images)!, result.GetValue(output)!, result.GetValue(store), result.GetValue(threads), services, cancellationToken));
        return command;
    }
}
