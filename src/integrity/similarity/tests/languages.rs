//! Beyond Python: a disguised copy outranks an independent solution in
//! Java and C too, through each language's own grammar.

use super::super::*;

const JAVA_ORIGINAL: &str = r"
import java.util.*;

public class Inventory {
    private final Map<String, Integer> stock = new HashMap<>();

    public void add(String item, int count) {
        stock.put(item, stock.getOrDefault(item, 0) + count);
    }

    public boolean remove(String item, int count) {
        int have = stock.getOrDefault(item, 0);
        if (have < count) {
            return false;
        }
        stock.put(item, have - count);
        return true;
    }

    public List<String> lowStock(int limit) {
        List<String> low = new ArrayList<>();
        for (Map.Entry<String, Integer> entry : stock.entrySet()) {
            if (entry.getValue() < limit) {
                low.add(entry.getKey());
            }
        }
        Collections.sort(low);
        return low;
    }
}
";

/// Renamed, methods reordered, comments added, literals changed.
const JAVA_COPY: &str = r"
import java.util.*;

/** Keeps track of the shop's goods. */
public class Store {
    private final Map<String, Integer> goods = new HashMap<>();

    // which goods are running out
    public List<String> runningOut(int threshold) {
        List<String> result = new ArrayList<>();
        for (Map.Entry<String, Integer> e : goods.entrySet()) {
            if (e.getValue() < threshold) {
                result.add(e.getKey());
            }
        }
        Collections.sort(result);
        return result;
    }

    public void put(String name, int n) {
        goods.put(name, goods.getOrDefault(name, 1) + n);
    }

    public boolean take(String name, int n) {
        int available = goods.getOrDefault(name, 1);
        if (available < n) {
            return false;
        }
        goods.put(name, available - n);
        return true;
    }
}
";

const JAVA_OWN: &str = r"
import java.util.ArrayList;
import java.util.List;

class Shelf {
    record Slot(String name, int amount) {}

    private final List<Slot> slots = new ArrayList<>();

    void store(String name, int amount) {
        slots.removeIf(s -> s.name().equals(name) && s.amount() == 0);
        slots.add(new Slot(name, amount));
    }

    int total(String name) {
        return slots.stream().filter(s -> s.name().equals(name)).mapToInt(Slot::amount).sum();
    }

    List<String> scarce(int below) {
        return slots.stream().map(Slot::name).distinct().filter(n -> total(n) < below).sorted().toList();
    }
}
";

const C_ORIGINAL: &str = r#"
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b) {
    return *(const int *)a - *(const int *)b;
}

double median(int *values, size_t count) {
    qsort(values, count, sizeof(int), compare);
    if (count % 2 == 1) {
        return values[count / 2];
    }
    return (values[count / 2 - 1] + values[count / 2]) / 2.0;
}

int main(void) {
    int numbers[100];
    size_t used = 0;
    while (used < 100 && scanf("%d", &numbers[used]) == 1) {
        used++;
    }
    printf("%.1f\n", median(numbers, used));
    return 0;
}
"#;

const C_COPY: &str = r#"
#include <stdio.h>
#include <stdlib.h>

/* sort helper */
static int by_value(const void *x, const void *y) { return *(const int *)x - *(const int *)y; }

double middle(int *data, size_t n)
{
    qsort(data, n, sizeof(int), by_value);
    if (n % 2 == 1)
    {
        return data[n / 2];
    }
    return (data[n / 2 - 1] + data[n / 2]) / 2.0;
}

int main(void)
{
    int input[500];
    size_t k = 0;
    while (k < 500 && scanf("%d", &input[k]) == 1)
    {
        k++;
    }
    printf("median: %.2f\n", middle(input, k));
    return 0;
}
"#;

const C_OWN: &str = r#"
#include <stdio.h>

int main(void) {
    long counts[201] = {0};
    long total = 0;
    int x;
    while (scanf("%d", &x) == 1) {
        if (x >= -100 && x <= 100) {
            counts[x + 100] += 1;
            total += 1;
        }
    }
    long seen = 0;
    for (int v = 0; v < 201; v++) {
        seen += counts[v];
        if (2 * seen >= total) {
            printf("%d\n", v - 100);
            break;
        }
    }
    return 0;
}
"#;

fn scores(language: Language, original: &str, copy: &str, own: &str) -> (f64, f64) {
    let sources = [("original", original), ("copy", copy), ("own", own)].map(|(name, text)| Source {
        name: name.to_owned(),
        text: text.to_owned(),
        tsx: false,
    });
    let analysis = analyze(language, sources.to_vec(), &[], &Settings::default(), &|_| {});
    let score = |x: &str, y: &str| {
        analysis
            .pairs
            .iter()
            .find(|pair| {
                let names = [pair.a, pair.b].map(|file| analysis.documents[file as usize].source.name.as_str());
                names == [x, y] || names == [y, x]
            })
            .map_or(0.0, |pair| f64::from(pair.score))
    };
    (score("original", "copy"), score("original", "own").max(score("copy", "own")))
}

#[test]
fn a_disguised_java_copy_scores_high_and_an_independent_class_low() {
    let (copied, independent) = scores(Language::Java, JAVA_ORIGINAL, JAVA_COPY, JAVA_OWN);
    assert!(copied > 0.8, "copy {copied}");
    assert!(independent < 0.3, "independent {independent}");
}

#[test]
fn a_reformatted_c_copy_scores_high_and_an_independent_program_low() {
    let (copied, independent) = scores(Language::C, C_ORIGINAL, C_COPY, C_OWN);
    assert!(copied > 0.8, "copy {copied}");
    assert!(independent < 0.3, "independent {independent}");
}
