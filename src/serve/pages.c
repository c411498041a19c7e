/* pages.c: the French pages of `clasconv serve`: forms, error pages and
 * the frame around them. Self-contained (no script, no external resource);
 * the style sheet is the report's plus serve_page_css, one <style> element
 * whose hash the Content-Security-Policy allows. */
#include "serve/serve_internal.h"

#include <stdio.h>
#include <string.h>

#include "clasconv/coord.h"
#include "clasconv/ref.h"
#include "clasconv/write.h"

/* What the file pickers offer by default: every extension a reader takes
 * (the format is still told by content; "Tous les fichiers" shows the
 * rest). */
#define SERVE_ACCEPT                                                           \
    ".xls,.xlsx,.xlsm,.xlsb,.ods,.csv,.txt,.xml,.docx,.odt,.doc,.rtf,.slk,"    \
    ".dif,.htm,.html"
/* The same, as the pages say it. */
#define SERVE_FORMATS                                                          \
    ".xls, .xlsx, .ods, .csv, .txt, XML Excel 2003, page web .htm, .docx, "    \
    ".odt (et .doc, .rtf, .xlsb, .slk, .dif, convertis par LibreOffice)"

const char serve_page_css[] =
    "a{color:#0b4f9c}"
    "a:focus-visible,button:focus-visible,input:focus-visible,"
    "summary:focus-visible{outline:3px solid #b35c00;outline-offset:2px}"
    ".site{display:flex;flex-wrap:wrap;gap:.3em 1.5em;align-items:baseline;"
    "border-bottom:3px solid #1e4f8a;padding:.3em 0 .5em;margin:0 0 1em}"
    ".site .nom{font-weight:bold;color:#1e4f8a;text-decoration:none;"
    "font-size:1.1em}"
    ".site ul{list-style:none;margin:0;padding:0;display:flex;"
    "flex-wrap:wrap;gap:.3em 1.2em}"
    ".site a[aria-current]{font-weight:bold;color:#1a1a1a;"
    "text-decoration:none;border-bottom:3px solid #b35c00}"
    ".evitement{position:absolute;left:-999em}"
    ".evitement:focus{left:8px;top:8px;z-index:9;background:#fff;"
    "padding:.4em .8em;border:2px solid #1e4f8a}"
    "form.depot{margin:1em 0;padding:1em;border:1px solid #8a96a8;"
    "border-radius:6px;background:#f4f7fb}"
    "form.depot label{display:block;font-weight:bold;margin:.2em 0 .4em}"
    "input[type=file]{display:block;width:100%;box-sizing:border-box;"
    "padding:1.6em 1em;border:2px dashed #1e4f8a;border-radius:6px;"
    "background:#fff;font-size:1em;color:#1a1a1a}"
    "input[type=text]{display:block;width:100%;max-width:30em;"
    "box-sizing:border-box;padding:.5em;border:1px solid #555;"
    "border-radius:4px;font-size:1em}"
    "button{margin-top:1em;font-size:1em;padding:.6em 1.4em;"
    "background:#1e4f8a;color:#fff;border:0;border-radius:4px;"
    "cursor:pointer}"
    "button:hover{background:#163b68}"
    ".aide{color:#444;font-size:.9em;margin:.4em 0 0}"
    ".encadre{padding:.6em 1em;border-left:6px solid #1e4f8a;"
    "background:#eef3fa;margin:1em 0}"
    ".probleme{padding:.8em 1em;border-left:6px solid #c62828;"
    "background:#fde2e1;margin:1em 0}"
    ".probleme h1{margin-top:0}"
    ".telecharger h2{margin-top:.6em}"
    "ul.dl{list-style:none;padding:0;margin:.4em 0 1em;display:flex;"
    "flex-wrap:wrap;gap:.5em}"
    "ul.dl a{display:inline-block;padding:.5em 1em;border:2px solid #1e4f8a;"
    "border-radius:4px;text-decoration:none;font-weight:bold;"
    "background:#fff}"
    "ul.dl a:hover{background:#eef3fa}"
    "table.lot{min-width:0;table-layout:auto}"
    "table.lot td{overflow-wrap:break-word}"
    "table.lot td.num{white-space:nowrap}"
    "@media (max-width:600px){table.lot thead{position:absolute;"
    "left:-999em}table.lot,table.lot tbody,table.lot tr,table.lot td"
    "{display:block;width:auto}table.lot tr{border:1px solid #bbb;"
    "margin:0 0 .6em;padding:.2em 0}table.lot td{border:0;"
    "padding:2px 8px;text-align:left}table.lot td.num{text-align:left}"
    "table.lot td::before{content:attr(data-label) \" : \";"
    "font-weight:bold;color:#333}}"
    ".st{display:inline-block;padding:0 .4em;border-radius:3px;"
    "font-weight:bold;white-space:nowrap}"
    ".st-ok{background:#e3f4e1;color:#1b5e20}"
    ".st-averifier{background:#fff4d6;color:#6b4d00}"
    ".st-illisible,.st-nonecrit{background:#fde2e1;color:#8e1b1b}"
    ".st-ignore{background:#eee;color:#333}"
    "pre.rapport{overflow-x:auto;padding:.8em;background:#f7f7f7;"
    "border:1px solid #ccc;font-size:.85em;line-height:1.35}"
    "fieldset.deux{border:0;padding:0;margin:0;display:grid;gap:1em;"
    "grid-template-columns:repeat(auto-fit,minmax(16em,1fr))}"
    "@media print{.site ul,form,ul.dl,.evitement{display:none}"
    "a{color:#000;text-decoration:none}}";

void serve_esc(clasconv_buf *out, const char *text)
{
    clasconv_html_escape(out, text ? text : "");
}

const char *serve_plural(size_t n)
{
    return n > 1 ? "s" : "";
}

void serve_page_nav(clasconv_buf *out, const char *current)
{
    static const struct {
        const char *id, *href, *label;
    } links[] = {
        {"verifier", "/", "Vérifier un fichier"},
        {"lot", "/lot", "Convertir un lot"},
        {"comparer", "/comparer", "Comparer avec l'an dernier"},
        {"modele", "/modele", "Modèle vierge"},
    };
    size_t i;

    clasconv_buf_puts(out, "<nav class=\"site\" aria-label=\"Pages\">"
                           "<a class=\"nom\" href=\"/\">clasconv · "
                           "tableaux CLAS</a><ul>");
    for (i = 0; i < sizeof links / sizeof links[0]; i++)
        clasconv_buf_printf(
            out, "<li><a href=\"%s\"%s>%s</a></li>", links[i].href,
            current && !strcmp(current, links[i].id) ? " aria-current=\"page\""
                                                     : "",
            links[i].label);
    clasconv_buf_puts(out, "</ul></nav>");
}

void serve_page_begin(clasconv_buf *out, const serve_ctx *ctx,
                      const char *title, const char *current)
{
    clasconv_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"fr\"><head>"
                           "<meta charset=\"utf-8\">"
                           "<meta name=\"viewport\" content=\"width="
                           "device-width, initial-scale=1\"><title>");
    clasconv_buf_puts(out, title);
    clasconv_buf_printf(out,
                        " – clasconv</title><style>%s</style></head>\n"
                        "<body><a class=\"evitement\" href=\"#contenu\">"
                        "Aller au contenu</a>",
                        ctx->style);
    serve_page_nav(out, current);
    clasconv_buf_puts(out, "<main id=\"contenu\">");
}

void serve_page_end(clasconv_buf *out)
{
    clasconv_buf_printf(out,
                        "</main><footer>clasconv %s · les fichiers déposés "
                        "ne sont pas conservés.</footer></body></html>\n",
                        CLASCONV_VERSION);
}

/* Says which annuaire the server matches schools to, if any. */
static void annuaire_note(clasconv_buf *out, const serve_ctx *ctx)
{
    size_t n;

    if (!ctx->o.annuaire)
        return;
    n = clasconv_annuaire_count(ctx->o.annuaire);
    clasconv_buf_puts(out, "<p class=\"encadre\" id=\"annuaire\">Annuaire de "
                           "l'éducation utilisé : <strong>");
    serve_esc(out, clasconv_annuaire_name(ctx->o.annuaire));
    clasconv_buf_printf(out,
                        "</strong> (%zu établissement%s). Chaque école est "
                        "rapprochée de l'annuaire : son UAI et son nom "
                        "officiel figurent dans le classeur et les données "
                        "JSON.</p>",
                        n, serve_plural(n));
}

void serve_page_home(clasconv_buf *out, const serve_ctx *ctx)
{
    serve_page_check_form(out, ctx);
}

void serve_page_check_form(clasconv_buf *out, const serve_ctx *ctx)
{
    serve_page_begin(out, ctx, "Vérifier un fichier", "verifier");
    clasconv_buf_printf(
        out,
        "<h1>Vérifier un fichier</h1>"
        "<p>Déposez le tableau CLAS de votre commune : la page montre le "
        "tableau tel qu'il a été lu, les cellules à corriger et la liste "
        "des anomalies, puis propose le classeur standardisé, le modèle "
        "pré-rempli et les données JSON.</p>"
        "<form class=\"depot\" method=\"post\" action=\"/verifier\" "
        "enctype=\"multipart/form-data\">"
        "<label for=\"fichier\">Fichier à vérifier</label>"
        "<input type=\"file\" id=\"fichier\" name=\"fichier\" required "
        "accept=\"" SERVE_ACCEPT "\" "
        "aria-describedby=\"aide-fichier\">"
        "<p id=\"aide-fichier\" class=\"aide\">Formats lus : " SERVE_FORMATS
        " ; %u Mo au plus. Vous pouvez aussi faire "
        "glisser le fichier sur ce champ.</p>"
        "<button type=\"submit\">Vérifier le fichier</button></form>"
        "<p class=\"encadre\">Le fichier n'est pas conservé : il est lu "
        "puis effacé. Les résultats restent téléchargeables %u minutes.</p>"
        "<p>D'une année sur l'autre : <a href=\"/comparer\">Comparer avec "
        "l'an dernier</a> (établissements apparus ou disparus, dispositifs, "
        "effectifs).</p>",
        ctx->o.max_mb, (ctx->o.keep_s + 59) / 60);
    annuaire_note(out, ctx);
    serve_page_end(out);
}

void serve_page_lot_form(clasconv_buf *out, const serve_ctx *ctx)
{
    serve_page_begin(out, ctx, "Convertir un lot", "lot");
    clasconv_buf_printf(
        out,
        "<h1>Convertir un lot</h1>"
        "<p>Déposez les fichiers reçus des communes (plusieurs à la fois, ou "
        "un seul .zip qui les contient) : la page donne une ligne par "
        "fichier et propose la synthèse (synthese.xlsx), le rapport "
        "(rapport.csv) et tous les classeurs standardisés dans un .zip.</p>"
        "<form class=\"depot\" method=\"post\" action=\"/lot\" "
        "enctype=\"multipart/form-data\">"
        "<label for=\"fichiers\">Fichiers des communes</label>"
        "<input type=\"file\" id=\"fichiers\" name=\"fichiers\" multiple "
        "required accept=\"" SERVE_ACCEPT ",.zip\" "
        "aria-describedby=\"aide-fichiers\">"
        "<p id=\"aide-fichiers\" class=\"aide\">%u fichiers au plus, %u Mo "
        "en tout. Pour choisir plusieurs fichiers, maintenez Ctrl (ou Maj) "
        "en cliquant, ou faites-les glisser sur ce champ.</p>"
        "<button type=\"submit\">Convertir le lot</button></form>"
        "<p class=\"encadre\">Les fichiers ne sont pas conservés. Les "
        "résultats restent téléchargeables %u minutes.</p>",
        ctx->o.max_files, ctx->o.max_mb, (ctx->o.keep_s + 59) / 60);
    annuaire_note(out, ctx);
    serve_page_end(out);
}

void serve_page_compare_form(clasconv_buf *out, const serve_ctx *ctx)
{
    static const char accept[] = SERVE_ACCEPT;

    serve_page_begin(out, ctx, "Comparer avec l'an dernier", "comparer");
    clasconv_buf_printf(
        out,
        "<h1>Comparer avec l'an dernier</h1>"
        "<p>Déposez le tableau de l'an dernier et celui de cette année pour "
        "la même commune : la page dit quels établissements apparaissent ou "
        "disparaissent (par leur UAI quand elle est connue, sinon par "
        "niveau et nom), quels dispositifs commencent ou s'arrêtent, quels "
        "effectifs varient de plus de %d enfants et de %d %%, et donne les "
        "totaux par niveau côte à côte, avec le classeur de comparaison.</p>"
        "<form class=\"depot\" method=\"post\" action=\"/comparer\" "
        "enctype=\"multipart/form-data\"><fieldset class=\"deux\">"
        "<legend class=\"evitement\">Les deux fichiers</legend><div>"
        "<label for=\"ancien\">Tableau de l'an dernier (ancien)</label>"
        "<input type=\"file\" id=\"ancien\" name=\"ancien\" required "
        "accept=\"%s\" aria-describedby=\"aide-comparer\"></div><div>"
        "<label for=\"nouveau\">Tableau de cette année (nouveau)</label>"
        "<input type=\"file\" id=\"nouveau\" name=\"nouveau\" required "
        "accept=\"%s\" aria-describedby=\"aide-comparer\"></div>"
        "</fieldset><p id=\"aide-comparer\" class=\"aide\">Formats lus "
        ": " SERVE_FORMATS " ; %u Mo au plus pour les deux "
        "fichiers ensemble.</p>"
        "<button type=\"submit\">Comparer les deux fichiers</button></form>"
        "<p class=\"encadre\">Les fichiers ne sont pas conservés. Les "
        "résultats restent téléchargeables %u minutes.</p>",
        CLASCONV_COMPARE_MIN_CHILDREN, CLASCONV_COMPARE_MIN_PERCENT, accept,
        accept, ctx->o.max_mb, (ctx->o.keep_s + 59) / 60);
    annuaire_note(out, ctx);
    serve_page_end(out);
}

void serve_page_template_form(clasconv_buf *out, const serve_ctx *ctx)
{
    serve_page_begin(out, ctx, "Modèle vierge", "modele");
    clasconv_buf_puts(
        out,
        "<h1>Modèle vierge</h1>"
        "<p>Le tableau de la note unique à remplir par la commune : contrôle "
        "de saisie, totaux calculés, mise en page A4 paysage.</p>"
        "<form class=\"depot\" method=\"get\" action=\"/modele.xlsx\">"
        "<label for=\"commune\">Commune (facultatif)</label>"
        "<input type=\"text\" id=\"commune\" name=\"commune\" "
        "maxlength=\"120\" autocomplete=\"address-level2\" "
        "aria-describedby=\"aide-commune\">"
        "<p id=\"aide-commune\" class=\"aide\">Inscrite après « Territoire "
        "de : ». Laissez vide pour un modèle sans nom.</p>"
        "<button type=\"submit\">Télécharger le modèle</button></form>"
        "<p>Pour un modèle déjà rempli avec le tableau d'une commune, "
        "vérifiez son fichier : la page propose le modèle pré-rempli.</p>");
    serve_page_end(out);
}

void serve_page_error(clasconv_buf *out, const serve_ctx *ctx,
                      const char *title, const char *what, const char *next)
{
    serve_page_begin(out, ctx, title, NULL);
    clasconv_buf_printf(out,
                        "<div class=\"probleme\" role=\"alert\"><h1>%s"
                        "</h1><p>",
                        title);
    serve_esc(out, what);
    clasconv_buf_puts(out, "</p></div>");
    if (next && *next)
        clasconv_buf_printf(out, "<p>%s</p>", next);
    serve_page_end(out);
}
