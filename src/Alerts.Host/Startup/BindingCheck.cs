using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace Alerts.Host.Startup;

/// <summary>A configuration section and the options class it binds to; the start-up check walks each one.</summary>
internal sealed record BoundSection(string Path, Type Type);

/// <summary>
/// Finds every configuration value that would not convert to the type it binds to, before anything binds.
/// </summary>
/// <remarks>
/// .NET's binder throws on a bad value in a plain property (a stack trace, naming neither the problem nor the
/// fix) and, worse, silently drops a list element whose value does not convert: one <c>PollInterval=1m</c> and the
/// source is gone, polling is off, and nothing says why. This walk follows the same rules as the binder (public
/// settable properties matched case-insensitively, list and dictionary children, the type's
/// <see cref="TypeConverter"/> with the invariant culture) and reports each such value by its full key instead.
/// </remarks>
internal static class BindingCheck
{
    public static List<string> Problems(IConfiguration configuration, IEnumerable<BoundSection> sections)
    {
        var problems = new List<string>();
        foreach (var section in sections)
        {
            Walk(configuration.GetSection(section.Path), section.Type, problems);
        }

        return problems;
    }

    private static void Walk(IConfigurationSection section, Type type, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type == typeof(object))
        {
            return;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            foreach (var child in section.GetChildren())
            {
                Walk(child, valueType, problems);
            }

            return;
        }

        if (ElementType(type) is { } elementType)
        {
            foreach (var child in section.GetChildren())
            {
                Walk(child, elementType, problems);
            }

            return;
        }

        if (IsScalar(type))
        {
            // An empty value is "not set" to the binder (environment variables cannot be deleted, only emptied).
            if (!string.IsNullOrEmpty(section.Value) && Problem(section.Value, type) is { } problem)
            {
                problems.Add($"{section.Path} '{section.Value}' {problem}");
            }

            return;
        }

        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is not null && property.GetIndexParameters().Length == 0)
            {
                Walk(child, property.PropertyType, problems);
            }
        }
    }

    /// <summary>Why <paramref name="value"/> does not convert to <paramref name="type"/>, or null when it does.</summary>
    internal static string? Problem(string value, Type type)
    {
        if (type.IsEnum)
        {
            var names = string.Join(", ", Enum.GetNames(type));
            return Enum.TryParse(type, value, ignoreCase: true, out var parsed) && Enum.IsDefined(type, parsed!)
                ? null
                : $"is not one of {names}";
        }

        if (type == typeof(TimeSpan))
        {
            return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _) ? null : "is not a duration; write [d.]hh:mm:ss, e.g. 00:01:00 for one minute";
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(value, out _) ? null : "is not true or false";
        }

        try
        {
            _ = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException
            || e.InnerException is FormatException or OverflowException)
        {
            return type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong)
                ? "is not a whole number"
                : type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? "is not a number" : $"is not a valid {type.Name}";
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(DateTime)
        || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri) || type == typeof(TimeZoneInfo)
        || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var element]
            ? element
            : null;
    }

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string)
        && type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)))
            ? value
            : null;
}
