using System.Globalization;

namespace SteelCI.Scheduling.Reporting;

/// <summary>Durations as people read them: "17h35m", "7d 03h05m", hours with two decimals.</summary>
public static class Durations
{
    public static string Short(TimeSpan value)
    {
        var minutes = (long)Math.Round(value.TotalMinutes);
        var days = minutes / (24 * 60);
        var hours = minutes / 60 % 24;
        var rest = minutes % 60;
        return days > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{days}d {hours:00}h{rest:00}m")
            : string.Create(CultureInfo.InvariantCulture, $"{hours}h{rest:00}m");
    }

    public static string Hours(TimeSpan value) => value.TotalHours.ToString("0.00", CultureInfo.InvariantCulture) + " h";

    public static string Ratio(TimeSpan value, TimeSpan bound) =>
        (value / bound).ToString("0.00", CultureInfo.InvariantCulture) + "x lower bound";
}
