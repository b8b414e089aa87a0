"""The creator portal: server-rendered pages a creator uses on a phone, with no JavaScript needed —
the collaboration page (`/c/{token}`), creator home (`/h/{brand_id}`) and the brand's public
application page (`/apply/{slug}`). `http` parses requests and builds answers, `page` renders,
`csrf` guards every form post; one module per page family does the rest."""
