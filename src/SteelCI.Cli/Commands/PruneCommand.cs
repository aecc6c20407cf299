using System.CommandLine;
using Spectre.Console;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci prune [pipeline] [--keep N] [--dry-run]</c>: the retention policy of <see cref="PrunePlan"/> on the
/// pipeline's store (local folder or GitHub releases), and the attempt folders of finished attempts in the workspace.
/// Under the state lock, so it never runs beside a run or tick of the pipeline. <c>--dry-run</c> lists what would go.
/// </summary>
public static class PruneCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var keep = new Option<int>("--keep") { Description = "Complete releases to keep per stage (newest first)", DefaultValueFactory = _ => 3 };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "List what would be deleted, delete nothing" };
        var store = new Option<string?>("--store") { Description = "local or github (default: the pipeline file's store)" };
        var kaggle = new KaggleRunOptions();
        var command = new Command("prune", "Delete old releases (keeping the newest N per stage and their lineage), old attempt folders and old Kaggle kernels")
        {
            pipeline, workspace, keep, dryRun, store,
        };
        kaggle.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(pipeline)!, result.GetValue(workspace),
            result.GetValue(keep), result.GetValue(dryRun), result.GetValue(store), services, cancellationToken, kaggle.Read(result)));
        return command;
    }

    public static async Task<int> RunAsync(string specPath, string? workspaceRoot, int keep, bool dryRun, string? storeName,
        CliServices services, CancellationToken cancellationToken, KaggleRunOptions.Values? kaggleOptions = null)
    {
        var console = OperateContext.Wide(services.Console);
        if (keep < 1)
            return LogsCommand.Fail(console, $"--keep {keep}: keep at least 1 release per stage");
        using var context = services.Operate(specPath, workspaceRoot, null);
        var pipeline = context.Pipeline!;
        var storeKind = storeName ?? pipeline.Store;
        await using var held = await context.StateStore.LockAsync(cancellationToken);
        var state = await context.LoadStateAsync(cancellationToken);
        using var store = services.Store(storeKind, context.Workspace);
        var releases = await store.Store.ListAsync(pipeline.Name + "-", cancellationToken);
        var plan = PrunePlan.Compute(pipeline.Name, releases, state, keep);
        var folders = PrunePlan.AttemptFolders(context.Workspace, state);

        var verb = dryRun ? "would delete" : "deleted";
        var deleted = 0;
        foreach (var decision in plan.Where(d => !d.Keep))
        {
            if (!dryRun)
                await store.Store.DeleteAsync(decision.Release.Tag, cancellationToken);
            console.WriteLine($"{verb} release {decision.Release.Tag}  ({decision.Why})");
            deleted++;
        }
        foreach (var decision in plan.Where(d => d.Keep))
            console.WriteLine($"kept release {decision.Release.Tag}  ({decision.Why})");
        long bytes = 0;
        foreach (var folder in folders)
        {
            bytes += SizeOf(folder);
            if (!dryRun)
                Directory.Delete(folder, recursive: true);
            console.WriteLine($"{verb} {Path.GetRelativePath(context.Workspace.Root, folder)}/  (attempt of a finished run)");
        }
        var kernels = await OldKernels.PruneAsync(pipeline, kaggleOptions, context.Workspace, state, dryRun, console, services, cancellationToken);
        console.WriteLine($"{(dryRun ? "Dry run: would delete" : "Deleted")} {deleted} of {releases.Count} release(s), {kernels} Kaggle kernel(s) and " +
            $"{folders.Count} attempt folder(s) ({bytes / 1048576.0:0.#} MiB of attempt files); kept {plan.Count(d => d.Keep)} release(s).");
        return ExitCodes.Success;
    }

    private static long SizeOf(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Sum(f => f.Length);
}
