// The permutations libstdc++'s std::sort gives ggml's descending argsort (ggml-cpu ops.cpp, cmp_argsort DESC:
// data[a] > data[b]) on rows with many equal values: argsort.json (values and order), which ArgSortTests compares with
// the runner's `stdSortDescending`. Rows: n from 2 to 256, values from a 64-bit xorshift reduced to 3, 8 or 1000 levels
// (so ties abound); rows of one value (all ties), ascending, descending, and a repeating saw.
//   g++ -O2 -std=c++17 make_argsort.cpp -o /tmp/argsort && /tmp/argsort > argsort.json
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

static uint64_t rng = 1;
static float next_value(int levels) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (float)(rng % (uint64_t)levels) / (float)levels;
}

int main() {
    const int sizes[] = {2, 5, 16, 17, 20, 33, 60, 64, 100, 128, 200, 256};
    const int levels[] = {3, 8, 1000};
    printf("{\"rows\": [\n");
    bool first = true;
    for (int kind = 0; kind < 5; kind++) {
        for (int n : sizes) {
            for (int lv : levels) {
                if (kind > 0 && lv != 3) continue;
                std::vector<float> v(n);
                for (int j = 0; j < n; j++) {
                    switch (kind) {
                    case 0: v[j] = next_value(lv); break;
                    case 1: v[j] = 0.5f; break;                      // all equal
                    case 2: v[j] = (float)j; break;                  // ascending
                    case 3: v[j] = (float)(n - j); break;            // descending
                    default: v[j] = (float)((j * 7) % 5); break;     // a repeating saw
                    }
                }
                std::vector<int32_t> idx(n);
                for (int j = 0; j < n; j++) idx[j] = j;
                std::sort(idx.begin(), idx.end(), [&](int32_t a, int32_t b) { return v[a] > v[b]; });
                printf("%s{\"kind\": %d, \"levels\": %d, \"values\": [", first ? "" : ",\n", kind, lv);
                first = false;
                for (int j = 0; j < n; j++) printf("%s%.9g", j ? "," : "", v[j]);
                printf("], \"order\": [");
                for (int j = 0; j < n; j++) printf("%s%d", j ? "," : "", idx[j]);
                printf("]}");
            }
        }
    }
    printf("\n]}\n");
    return 0;
}
