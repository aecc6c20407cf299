using System.CommandLine;

namespace SteelCI.Cli;

/// <summary>Arguments and options several commands share.</summary>
public static class CommonOptions
{
    public static Argument<string> Pipeline() => new("pipeline")
    {
        Description = "The pipeline file (steelci.yml)",
        DefaultValueFactory = _ => "steelci.yml",
    };

    public static Option<string?> Workspace() => new("--workspace")
    {
        Description = "Folder for releases, state, attempts and the trainer bundle (default: .steelci beside the pipeline file)",
    };

    public static Option<string?> Profile() => new("--profile", "-p")
    {
        Description = "A profile of the pipeline file (demo, ci, bench, ...)",
    };

    /// <summary>Refuses a value of 0 or less (with <paramref name="orZero"/>: less than 0) as a parse error (exit 2).</summary>
    public static Option<T> Positive<T>(this Option<T> option, bool orZero = false)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0 || !TryValue<T>(result, out var value))
                return; // absent, or not a number at all: the parser reports that itself
            var number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            if (double.IsNaN(number) || (orZero ? number < 0 : number <= 0))
                result.AddError($"{option.Name} {Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)}: " +
                    (orZero ? "must not be negative" : "must be greater than 0"));
        });
        return option;
    }

    private static bool TryValue<T>(System.CommandLine.Parsing.OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>()!;
            return value is not null;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    public static Option<string[]> Data() => new("--data")
    {
        Description = "A folder with the real data: DIR for the pipeline's only dataset, or NAME=DIR",
        AllowMultipleArgumentsPerToken = false,
    };
}
